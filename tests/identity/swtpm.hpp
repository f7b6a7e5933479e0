// A software TPM (swtpm) for one test: started on two free local TCP ports, stopped (and its
// state directory removed) when the object dies, also when the test fails. The child gets
// SIGKILL if the test process itself dies.
#pragma once

#include <string>

#include "support/test_support.hpp"

namespace axle::identity::test {

class Swtpm {
 public:
  // True when the swtpm program is installed.
  static bool available();

  // Starts swtpm; on failure, `error()` says why and `running()` is false.
  Swtpm();
  ~Swtpm();
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] const std::string& error() const { return error_; }
  // "swtpm:host=127.0.0.1,port=P", for ESAPI and for tpm2-tools (-T).
  [[nodiscard]] std::string tcti() const;

 private:
  bool start(int port);
  void stop();

  axle::test::TempDir state_;
  int pid_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace axle::identity::test
