// A bus participant for the wait set and executor tests (wait_set_test, executor_test):
//
//   wait_test_helper echo <ping> <pong> <count>    waits (WaitSet) for <count> pings, answers
//                                                  each with a pong carrying the same value
//   wait_test_helper pub <topic> <period_ms> <count>
//                                                  publishes <count> samples, one per period,
//                                                  then stays alive (publisher joined, silent)
//                                                  until killed
//
// Output: "ready" once joined, "done" after the work. Topic type "test.Wait", 64-byte messages.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "axle/bus/node.hpp"
#include "axle/bus/wait_set.hpp"

namespace {

using axle::bus::Node;

int die(const std::string& what) {
  std::fprintf(stderr, "wait_test_helper: %s\n", what.c_str());
  return 1;
}

void say(const char* line) {
  std::printf("%s\n", line);
  std::fflush(stdout);
}

axle::bus::TopicOptions topic_options() {
  axle::bus::TopicOptions t;
  t.type_name = "test.Wait";
  t.max_message_size = 64;
  return t;
}

int run_echo(const char* ping_topic, const char* pong_topic, std::uint64_t count) {
  auto node = Node::create("wait-echo");
  if (!node) return die(node.error().to_string());
  auto sub = node->create_subscriber(ping_topic, topic_options());
  if (!sub) return die(sub.error().to_string());
  auto pub = node->create_publisher(pong_topic, topic_options());
  if (!pub) return die(pub.error().to_string());
  auto set = axle::bus::WaitSet::create();
  if (!set) return die(set.error().to_string());
  auto id = set->add(*sub);
  if (!id) return die(id.error().to_string());
  say("ready");
  for (std::uint64_t answered = 0; answered < count;) {
    // Bounded: a lost wake-up shows up as this error instead of a hang.
    auto ready = set->wait(std::chrono::seconds(20));
    if (!ready) return die(ready.error().to_string());
    if (!ready->has(*id)) return die("no ping within 20 s: lost wake-up");
    while (true) {
      auto sample = sub->try_take();
      if (!sample) return die(sample.error().to_string());
      if (!*sample) break;
      auto r = pub->publish_copy((*sample)->data());
      if (!r) return die(r.error().to_string());
      ++answered;
    }
  }
  say("done");
  return 0;
}

int run_pub(const char* topic, long period_ms, std::uint64_t count) {
  auto node = Node::create("wait-pub");
  if (!node) return die(node.error().to_string());
  auto pub = node->create_publisher(topic, topic_options());
  if (!pub) return die(pub.error().to_string());
  say("ready");
  for (std::uint64_t i = 0; i < count; ++i) {
    std::byte bytes[8];
    std::memcpy(bytes, &i, sizeof(i));
    auto r = pub->publish_copy(bytes);
    if (!r) return die(r.error().to_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(period_ms));
  }
  say("done");
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // alive and silent until killed
}

}  // namespace

int main(int argc, char** argv) {
  const std::string role = argc > 1 ? argv[1] : "";
  if (role == "echo" && argc == 5)
    return run_echo(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10));
  if (role == "pub" && argc == 5) {
    return run_pub(argv[2], std::atol(argv[3]), std::strtoull(argv[4], nullptr, 10));
  }
  return die(
      "usage: wait_test_helper echo <ping> <pong> <count> | pub <topic> <period_ms> <count>");
}
