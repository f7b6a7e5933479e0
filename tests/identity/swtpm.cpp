#include "swtpm.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace axle::identity::test {

namespace {

using Clock = std::chrono::steady_clock;

bool can_bind(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

bool can_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool Swtpm::available() {
  return axle::test::run_command({"swtpm", "--version"}, {}, 10).exit_code == 0;
}

Swtpm::Swtpm() {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 60000);
  for (int attempt = 0; attempt < 8 && !running(); ++attempt) {
    int port = pick(rng) & ~1;
    if (can_bind(port) && can_bind(port + 1)) start(port);
  }
  if (!running() && error_.empty()) error_ = "no free pair of local ports found";
}

Swtpm::~Swtpm() { stop(); }

std::string Swtpm::tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }

bool Swtpm::start(int port) {
  std::vector<std::string> argv = {
      "swtpm",
      "socket",
      "--tpm2",
      "--server",
      "type=tcp,port=" + std::to_string(port) + ",bindaddr=127.0.0.1",
      "--ctrl",
      "type=tcp,port=" + std::to_string(port + 1) + ",bindaddr=127.0.0.1",
      "--tpmstate",
      "dir=" + state_.path().string(),
      "--flags",
      "not-need-init,startup-clear"};
  std::vector<char*> args;  // built before fork(): the child must not allocate
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);
    ::execvp("swtpm", args.data());
    _exit(127);
  }
  pid_ = pid;
  port_ = port;
  // Ready when the command port accepts connections; bounded by 10 s.
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "swtpm exited during start-up (port taken?)";
      return false;
    }
    if (can_connect(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "swtpm did not accept connections within 10 s";
  stop();
  return false;
}

void Swtpm::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(3);
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace axle::identity::test
