// wait_test_helper as a child process of the wait set and executor tests: killed and reaped
// when the object dies, every read bounded.
#pragma once

#include <string>
#include <vector>

#include "axle/bus/options.hpp"
#include "axle/core/clock.hpp"
#include "support/child_process.hpp"

namespace axle::bus::test {

inline constexpr int kWaitMs = 20000;

inline const char* const kHelper = AXLE_WAIT_TEST_HELPER;

class WaitChild : public ::axle::test::ChildProcess {
 public:
  explicit WaitChild(std::vector<std::string> args) : ChildProcess(with_helper(std::move(args))) {}
  std::string read_line(int timeout_ms = kWaitMs) {
    return read_line_until(monotonic_ns() + std::int64_t{timeout_ms} * 1'000'000);
  }

 private:
  static std::vector<std::string> with_helper(std::vector<std::string> args) {
    std::vector<std::string> argv;
    argv.reserve(args.size() + 1);
    argv.emplace_back(kHelper);
    for (std::string& a : args) argv.push_back(std::move(a));
    return argv;
  }
};

// The topic options wait_test_helper uses.
inline TopicOptions wait_topic_options() {
  TopicOptions t;
  t.type_name = "test.Wait";
  t.max_message_size = 64;
  return t;
}

}  // namespace axle::bus::test
