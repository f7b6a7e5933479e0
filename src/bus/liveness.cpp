#include "liveness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>

namespace axle::bus::detail {

std::uint64_t process_start_time(pid_t pid) noexcept {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return 0;
  std::string_view text(buf, static_cast<std::size_t>(n));
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const std::size_t close_paren = text.rfind(')');
  if (close_paren == std::string_view::npos) return 0;
  text.remove_prefix(close_paren + 1);
  // Fields from 3 on; field 22 is the 20th of them.
  int field = 2;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    const std::size_t end = text.find(' ', pos);
    const std::string_view word = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (++field == 22) {
      std::uint64_t value = 0;
      const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
      return ec == std::errc() ? value : 0;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return 0;
}

std::uint64_t own_start_time() noexcept {
  // Not cached across fork(): a forked child has its own start time.
  return process_start_time(::getpid());
}

bool process_alive(pid_t pid, std::uint64_t start_time) noexcept {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  if (start_time == 0) return true;
  const std::uint64_t now = process_start_time(pid);
  // A zombie still has its /proc entry; a vanished entry means gone.
  return now == start_time;
}

}  // namespace axle::bus::detail
