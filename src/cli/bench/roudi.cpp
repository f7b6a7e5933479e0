#include "roudi.hpp"

#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>

#include "axle/core/clock.hpp"

namespace axle::cli::bench {

namespace {

constexpr const char* kRouDi = "/usr/bin/iox-roudi";
constexpr std::uint64_t kChunkHeader = 128;  // iceoryx's chunk header and alignment slack

// PID of a running iox-roudi, or 0.
pid_t running_roudi() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name == "iox-roudi") return static_cast<pid_t>(std::stoi(pid));
  }
  return 0;
}

// One mempool per payload size: enough chunks for deep throughput queues at small sizes and
// a handful in flight at large ones; about 0.45 GB of /dev/shm with every default size.
std::string config_toml(std::vector<std::uint64_t> sizes) {
  sizes.push_back(64);  // iceoryx's own small control samples
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::string toml = "[general]\nversion = 1\n\n[[segment]]\n";
  for (std::uint64_t s : sizes) {
    const std::uint64_t chunk = (s + kChunkHeader + 7) / 8 * 8;
    const std::uint64_t count = s <= 4096 ? 20000 : s <= 65536 ? 1000 : s <= (1u << 20) ? 64 : 24;
    toml += "\n[[segment.mempool]]\nsize = " + std::to_string(chunk) +
            "\ncount = " + std::to_string(count) + "\n";
  }
  return toml;
}

}  // namespace

Result<std::unique_ptr<RouDi>> RouDi::start(const std::string& dir,
                                            const std::vector<std::uint64_t>& sizes) {
  if (::access(kRouDi, X_OK) != 0) {
    return make_error(ErrorCode::kNotFound,
                      "iceoryx's daemon /usr/bin/iox-roudi is not installed (Debian package "
                      "'iceoryx'; scripts/setup.sh installs it)");
  }
  if (const pid_t other = running_roudi(); other != 0) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "another iox-roudi runs (pid " + std::to_string(other) +
                          "); iceoryx allows one per host, so the bench will not start its own");
  }
  const std::string config = dir + "/roudi.toml";
  {
    std::ofstream out(config);
    out << config_toml(sizes);
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + config);
  }
  AXLE_TRY(auto process,
           WorkerProcess::start({kRouDi, "-m", "off", "-l", "info", "-c", config}, {}));
  const std::int64_t deadline = monotonic_ns() + 20'000'000'000;
  while (true) {
    auto line = process.read_line(deadline);
    if (!line) {
      return make_error(line.error().code,
                        "iox-roudi did not become ready: " + line.error().message);
    }
    if (line->find("RouDi is ready") != std::string::npos) break;
  }
  return std::unique_ptr<RouDi>(new RouDi(std::move(process)));
}

RouDi::RouDi(WorkerProcess process) : process_(std::move(process)) {
  drain_ = std::thread([this] {
    while (process_.read_line(INT64_MAX / 2)) {
    }
  });
}

RouDi::~RouDi() {
  process_.terminate(5000);  // its pipe closes, so the drain thread ends
  drain_.join();
}

std::vector<std::string> RouDi::leftovers() {
  std::vector<std::string> found;
  const passwd* user = ::getpwuid(::geteuid());  // RouDi names its data segment after the user
  for (const char* dir : {"/dev/shm", "/tmp"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename();
      if (name.rfind("iceoryx", 0) == 0 || name.rfind("roudi", 0) == 0 ||
          name.rfind("iox", 0) == 0 || (user != nullptr && name == user->pw_name)) {
        found.push_back(entry.path());
      }
    }
  }
  return found;
}

}  // namespace axle::cli::bench
