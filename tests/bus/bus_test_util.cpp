#include "bus_test_util.hpp"

#include <unistd.h>

#include <atomic>

#include "axle/bus/introspect.hpp"

namespace axle::bus::test {

ScopedTopic::ScopedTopic(const std::string& label) {
  static std::atomic<int> counter{0};
  name_ = "axletest/t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + label;
}

ScopedTopic::~ScopedTopic() { (void)remove_topic(name_); }

std::string ScopedTopic::path() const {
  std::string file = name_;
  for (char& c : file) c = c == '/' ? '.' : c;
  return "/dev/shm/axle." + std::to_string(::geteuid()) + "." + file;
}

}  // namespace axle::bus::test
