// A bus participant for the multi-process tests (bus_process_test). One role per process:
//
//   bus_test_helper pub <topic> <count> [options]   publish <count> samples (0: until killed)
//   bus_test_helper sub <topic> <count> [options]   take <count> samples, check them, report
//   bus_test_helper join-and-die <topic> [options]  join as a publisher, _exit without leaving
//
// Options: --id N (publisher id in payloads), --reliable, --transient, --history N, --depth N,
// --chunks N, --hold N (keep the first N samples or loans until killed), --type NAME,
// --linger (after the work, print "done" and wait to be killed), --timeout-ms N.
//
// Payload: 64 bytes, eight copies of (id << 32 | i); a subscriber checks every copy, so a chunk
// reused while it is read shows up as a torn sample. Output: "ready" once joined, then one
// summary line "received N lost L torn T order_errors E first F" (sub) or "published N" (pub).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/node.hpp"

namespace {

using axle::bus::Node;

struct Args {
  std::string role, topic;
  std::uint64_t count = 0;
  std::uint64_t id = 0;
  bool reliable = false, transient = false, linger = false;
  std::uint32_t history = 0, depth = 16, chunks = 0, hold = 0;
  std::string type = "test.Payload";
  std::int64_t timeout_ms = 20000;
};

int die(const std::string& what) {
  std::fprintf(stderr, "bus_test_helper: %s\n", what.c_str());
  return 1;
}

void say(const char* line) {
  std::printf("%s\n", line);
  std::fflush(stdout);
}

void linger_forever() {
  say("done");
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // until the test kills us
}

axle::bus::TopicOptions topic_options(const Args& a) {
  axle::bus::TopicOptions t;
  t.type_name = a.type;
  t.max_message_size = 64;
  t.queue_depth = a.depth;
  t.history_depth = a.history;
  t.chunk_count = a.chunks;
  return t;
}

int run_pub(const Args& a) {
  auto node = Node::create("helper-pub-" + std::to_string(a.id));
  if (!node) return die(node.error().to_string());
  axle::bus::PublisherOptions po;
  po.timeout = std::chrono::milliseconds(a.timeout_ms);
  auto pub = node->create_publisher(a.topic, topic_options(a), po);
  if (!pub) return die(pub.error().to_string());
  std::vector<axle::bus::Loan> held;
  for (std::uint32_t i = 0; i < a.hold; ++i) {
    auto loan = pub->loan();
    if (!loan) return die(loan.error().to_string());
    held.push_back(std::move(loan).value());
  }
  say("ready");
  std::uint64_t published = 0;
  for (std::uint64_t i = 0; a.count == 0 || i < a.count; ++i) {
    auto loan = pub->loan();
    if (!loan) return die(loan.error().to_string());
    const std::uint64_t v = (a.id << 32) | i;
    auto* words = reinterpret_cast<std::uint64_t*>(loan->data().data());
    for (int w = 0; w < 8; ++w) words[w] = v;
    auto r = pub->publish(std::move(loan).value(), 64);
    // With count 0 (traffic until killed) a subscriber killed mid-wait may time a publish out.
    if (!r && a.count != 0) return die(r.error().to_string());
    ++published;
  }
  std::printf("published %llu\n", static_cast<unsigned long long>(published));
  std::fflush(stdout);
  if (a.linger) linger_forever();
  return 0;
}

int run_sub(const Args& a) {
  auto node = Node::create("helper-sub");
  if (!node) return die(node.error().to_string());
  axle::bus::SubscriberOptions so;
  if (a.reliable) so.reliability = axle::bus::Reliability::kReliable;
  if (a.transient) so.durability = axle::bus::Durability::kTransientLocal;
  auto sub = node->create_subscriber(a.topic, topic_options(a), so);
  if (!sub) return die(sub.error().to_string());
  say("ready");
  std::vector<axle::bus::Sample> held;
  std::map<std::uint64_t, std::uint64_t> next;  // publisher id -> next expected index
  std::uint64_t received = 0, torn = 0, order_errors = 0;
  long long first = -1;
  while (a.count == 0 || received < a.count) {
    auto s = sub->take(std::chrono::milliseconds(a.timeout_ms));
    if (!s) return die(s.error().to_string());
    std::uint64_t words[8];
    if (s->data().size() != sizeof(words)) return die("sample of the wrong size");
    std::memcpy(words, s->data().data(), sizeof(words));
    for (std::uint64_t w : words) torn += w != words[0] ? 1 : 0;
    const std::uint64_t id = words[0] >> 32, index = words[0] & 0xffffffffU;
    if (first < 0) first = static_cast<long long>(index);
    auto it = next.find(id);
    if (it != next.end() && index < it->second) ++order_errors;  // gaps are losses, not errors
    next[id] = index + 1;
    ++received;
    if (held.size() < a.hold) held.push_back(std::move(s).value());
  }
  std::printf("received %llu lost %llu torn %llu order_errors %llu first %lld\n",
              static_cast<unsigned long long>(received),
              static_cast<unsigned long long>(sub->lost()), static_cast<unsigned long long>(torn),
              static_cast<unsigned long long>(order_errors), first);
  std::fflush(stdout);
  if (a.linger) linger_forever();
  return 0;
}

int run_join_and_die(const Args& a) {
  auto node = Node::create("helper-dies");
  if (!node) return die(node.error().to_string());
  auto pub = node->create_publisher(a.topic, topic_options(a));
  if (!pub) return die(pub.error().to_string());
  auto loan = pub->loan();
  if (!loan) return die(loan.error().to_string());
  say("ready");
  ::_exit(0);  // no destructor runs: the slot and the loan stay behind, as after a crash
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return die("usage: bus_test_helper pub|sub|join-and-die <topic> [count] [...]");
  Args a;
  a.role = argv[1];
  a.topic = argv[2];
  int i = 3;
  if (a.role != "join-and-die") {
    if (argc < 4) return die("missing count");
    a.count = std::strtoull(argv[3], nullptr, 10);
    i = 4;
  }
  for (; i < argc; ++i) {
    const std::string opt = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : "0"; };
    if (opt == "--id")
      a.id = std::strtoull(value(), nullptr, 10);
    else if (opt == "--reliable")
      a.reliable = true;
    else if (opt == "--transient")
      a.transient = true;
    else if (opt == "--linger")
      a.linger = true;
    else if (opt == "--history")
      a.history = static_cast<std::uint32_t>(std::atoi(value()));
    else if (opt == "--depth")
      a.depth = static_cast<std::uint32_t>(std::atoi(value()));
    else if (opt == "--chunks")
      a.chunks = static_cast<std::uint32_t>(std::atoi(value()));
    else if (opt == "--hold")
      a.hold = static_cast<std::uint32_t>(std::atoi(value()));
    else if (opt == "--type")
      a.type = value();
    else if (opt == "--timeout-ms")
      a.timeout_ms = std::atoll(value());
    else
      return die("unknown option " + opt);
  }
  if (a.role == "pub") return run_pub(a);
  if (a.role == "sub") return run_sub(a);
  if (a.role == "join-and-die") return run_join_and_die(a);
  return die("unknown role " + a.role);
}
