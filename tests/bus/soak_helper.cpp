// A participant of the soak test (soak_test.cpp). One role per process:
//
//   soak_helper pub <topic> <id> <seconds> <rate>   publish for <seconds> at about <rate>
//                                                  messages/s (in bursts), then an end marker
//   soak_helper sub <topic> <publishers>            take until every publisher's end marker came
//
// Every message is a SoakHeader followed by a body whose bytes and length follow from (id, index),
// so a subscriber can check each one completely: the header's checksum against the bytes it got,
// and those bytes against what the publisher must have written. Reliable QoS: nothing may be
// lost, duplicated or reordered per publisher.
//
// Output: "ready" once joined, then one summary line:
//   pub: "published <id> <count>"
//   sub: "received <total> bad_checksum <n> bad_body <n> order_errors <n> duplicates <n>
//         lost <n> bytes <n> per_pub <id>:<count>:<end_count>,..."
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/node.hpp"

namespace {

constexpr std::uint64_t kMagic = 0x534f414b41584c45ULL;  // "ELXAKAOS"
constexpr std::size_t kMaxBody = 8192;
constexpr std::uint32_t kBurst = 64;  // more than the queue depth: reliable waits are exercised

struct SoakHeader {
  std::uint64_t magic;
  std::uint32_t publisher;
  std::uint32_t end;  // 1: end marker, `index` is then the number of messages published
  std::uint64_t index;
  std::uint64_t body_size;
  std::uint64_t checksum;  // FNV-1a 64 of the body
};

int die(const std::string& what) {
  std::fprintf(stderr, "soak_helper: %s\n", what.c_str());
  return 1;
}

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

axle::bus::TopicOptions topic_options() {
  axle::bus::TopicOptions t;
  t.type_name = "test.Soak";
  t.max_message_size = sizeof(SoakHeader) + kMaxBody;
  t.queue_depth = 16;
  t.max_publishers = 8;
  t.max_subscribers = 8;
  return t;
}

std::uint64_t fnv1a(const std::byte* p, std::size_t n) {
  std::uint64_t h = 14695981039346656037ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<std::uint8_t>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

// splitmix64: the body of message (id, index) is a pure function of both.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::size_t body_size(std::uint32_t id, std::uint64_t index) {
  return 1 + mix((std::uint64_t{id} << 40) ^ index) % kMaxBody;
}

void fill_body(std::uint32_t id, std::uint64_t index, std::byte* out, std::size_t n) {
  std::uint64_t state = mix((std::uint64_t{id} << 48) ^ (index * 0x100000001b3ULL));
  for (std::size_t i = 0; i < n; i += 8) {
    state = mix(state);
    std::memcpy(out + i, &state, std::min<std::size_t>(8, n - i));
  }
}

int run_pub(const std::string& topic, std::uint32_t id, double seconds, double rate) {
  auto node = axle::bus::Node::create("soak-pub-" + std::to_string(id));
  if (!node) return die(node.error().to_string());
  axle::bus::PublisherOptions po;
  po.timeout = std::chrono::seconds(20);  // a reliable subscriber that stalls this long fails us
  auto pub = node->create_publisher(topic, topic_options(), po);
  if (!pub) return die(pub.error().to_string());
  say("ready");
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(seconds));
  std::uint64_t index = 0;
  auto publish_one = [&](bool end_marker) -> axle::Result<void> {
    AXLE_TRY(axle::bus::Loan loan, pub->loan());
    std::byte* base = loan.data().data();
    SoakHeader h{kMagic, id, end_marker ? 1U : 0U, index, 0, 0};
    if (!end_marker) {
      h.body_size = body_size(id, index);
      fill_body(id, index, base + sizeof(SoakHeader), h.body_size);
      h.checksum = fnv1a(base + sizeof(SoakHeader), h.body_size);
    }
    std::memcpy(base, &h, sizeof(h));
    return pub->publish(std::move(loan), sizeof(SoakHeader) + h.body_size);
  };
  while (std::chrono::steady_clock::now() < end) {
    for (std::uint32_t b = 0; b < kBurst; ++b, ++index) {
      if (auto r = publish_one(false); !r) return die("publish: " + r.error().to_string());
    }
    // Paced by bursts: the average rate stays near `rate`, each burst arrives back to back.
    const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(index) / rate));
    std::this_thread::sleep_until(std::min(due, end));
  }
  if (auto r = publish_one(true); !r) return die("end marker: " + r.error().to_string());
  say("published " + std::to_string(id) + " " + std::to_string(index));
  return 0;
}

struct PerPublisher {
  std::uint64_t next = 0;  // next expected index
  std::int64_t end = -1;   // count announced by the end marker
};

int run_sub(const std::string& topic, std::uint32_t publishers) {
  auto node = axle::bus::Node::create("soak-sub");
  if (!node) return die(node.error().to_string());
  axle::bus::SubscriberOptions so;
  so.reliability = axle::bus::Reliability::kReliable;
  auto sub = node->create_subscriber(topic, topic_options(), so);
  if (!sub) return die(sub.error().to_string());
  say("ready");
  std::vector<PerPublisher> per(publishers);
  std::uint64_t received = 0, bad_checksum = 0, bad_body = 0, order_errors = 0, duplicates = 0,
                bytes = 0;
  std::uint32_t ended = 0;
  std::vector<std::byte> expected(kMaxBody);
  while (ended < publishers) {
    // Longer than any pause of a healthy publisher; the test bounds the whole run as well.
    auto s = sub->take(std::chrono::seconds(30));
    if (!s) return die("take: " + s.error().to_string());
    SoakHeader h{};
    if (s->data().size() < sizeof(h)) return die("a sample shorter than the header");
    std::memcpy(&h, s->data().data(), sizeof(h));
    if (h.magic != kMagic || h.publisher >= publishers) return die("a sample of a foreign format");
    PerPublisher& p = per[h.publisher];
    if (h.end != 0) {
      if (p.end >= 0) return die("a second end marker");
      p.end = static_cast<std::int64_t>(h.index);
      ++ended;
      continue;
    }
    ++received;
    bytes += s->data().size();
    const std::byte* body = s->data().data() + sizeof(h);
    const std::size_t n = s->data().size() - sizeof(h);
    if (n != h.body_size || fnv1a(body, n) != h.checksum) ++bad_checksum;
    fill_body(h.publisher, h.index, expected.data(), body_size(h.publisher, h.index));
    if (n != body_size(h.publisher, h.index) || std::memcmp(body, expected.data(), n) != 0) {
      ++bad_body;
    }
    if (h.index < p.next) {
      ++duplicates;  // seen already (indices only grow per publisher)
    } else {
      if (h.index > p.next) ++order_errors;  // a gap: something was lost or reordered
      p.next = h.index + 1;
    }
  }
  std::uint64_t lost = 0;
  std::string per_pub;
  for (std::uint32_t i = 0; i < publishers; ++i) {
    const auto announced = static_cast<std::uint64_t>(per[i].end);
    if (announced > per[i].next) lost += announced - per[i].next;
    per_pub += (i ? "," : "") + std::to_string(i) + ":" + std::to_string(per[i].next) + ":" +
               std::to_string(per[i].end);
  }
  lost += sub->lost();
  say("received " + std::to_string(received) + " bad_checksum " + std::to_string(bad_checksum) +
      " bad_body " + std::to_string(bad_body) + " order_errors " + std::to_string(order_errors) +
      " duplicates " + std::to_string(duplicates) + " lost " + std::to_string(lost) + " bytes " +
      std::to_string(bytes) + " per_pub " + per_pub);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Dies with the test process, even when that one is killed (a ctest timeout).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return die("the test process is gone");
  const std::string role = argc > 1 ? argv[1] : "";
  if (role == "pub" && argc == 6) {
    return run_pub(argv[2], static_cast<std::uint32_t>(std::atoi(argv[3])), std::atof(argv[4]),
                   std::atof(argv[5]));
  }
  if (role == "sub" && argc == 4) {
    return run_sub(argv[2], static_cast<std::uint32_t>(std::atoi(argv[3])));
  }
  return die("usage: soak_helper pub <topic> <id> <seconds> <rate> | sub <topic> <publishers>");
}
