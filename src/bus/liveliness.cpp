#include "liveliness.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>

#include "liveness.hpp"

namespace axle::bus::detail {

namespace {

// A killed process stays a zombie until its parent reaps it, and process_alive() (made for
// reclaiming, where waiting for the reap is harmless) counts a zombie as alive. A zombie
// publishes nothing, so liveliness reports it lost at once: proc(5) field 3 is 'Z' (or 'X').
bool zombie(std::int32_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // gone: process_alive() says so
  char buf[512];
  const ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  if (n <= 0) return false;
  const std::string_view text(buf, static_cast<std::size_t>(n));
  const std::size_t close_paren = text.rfind(')');  // the command name may hold ')'
  if (close_paren == std::string_view::npos || close_paren + 2 >= text.size()) return false;
  const char state = text[close_paren + 2];
  return state == 'Z' || state == 'X';
}

}  // namespace

std::vector<LivelinessChange> LivelinessTracker::scan(const Segment& segment) {
  const std::uint32_t count = segment.params().max_publishers;
  known_.resize(count);
  std::vector<LivelinessChange> changes;
  for (std::uint32_t i = 0; i < count; ++i) {
    const ParticipantSlot& p = segment.publisher(i).p;
    const std::uint64_t ctl = p.ctl.load(std::memory_order_acquire);
    const std::int32_t pid = ctl_pid(ctl);
    const std::uint64_t start = p.start_time.load(std::memory_order_acquire);
    // kAlive is stored after the start time and node name (participants.cpp), so both are
    // complete once it is seen; a dead owner's slot stays kAlive until a reaper frees it.
    const bool alive =
        ctl_state(ctl) == SlotState::kAlive && process_alive(pid, start) && !zombie(pid);
    Known& k = known_[i];
    const bool same = k.alive && alive && k.pid == pid && k.start_time == start;
    if (k.alive && !same) {
      k.alive = false;
      --status_.alive_publishers;
      ++status_.lost;
      changes.push_back({LivelinessChange::Kind::kLost, k.pid, k.node, status_});
    }
    if (alive && !same) {
      char name[sizeof(p.node_name) + 1] = {};
      std::memcpy(name, p.node_name, sizeof(p.node_name));
      k = Known{true, pid, start, name};
      ++status_.alive_publishers;
      ++status_.appeared;
      changes.push_back({LivelinessChange::Kind::kAppeared, pid, k.node, status_});
    }
  }
  return changes;
}

}  // namespace axle::bus::detail
