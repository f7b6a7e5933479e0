// Helpers of the bus tests: unique topic names per test and process, removed at the end of the
// test whatever its outcome.
#pragma once

#include <string>

namespace axle::bus::test {

// A topic name unique to this process and call ("t<pid>_<n>_<label>"); its segment is removed
// when the object dies.
class ScopedTopic {
 public:
  explicit ScopedTopic(const std::string& label);
  ~ScopedTopic();
  ScopedTopic(const ScopedTopic&) = delete;
  ScopedTopic& operator=(const ScopedTopic&) = delete;
  [[nodiscard]] const std::string& name() const { return name_; }
  // The file under /dev/shm.
  [[nodiscard]] std::string path() const;

 private:
  std::string name_;
};

}  // namespace axle::bus::test
