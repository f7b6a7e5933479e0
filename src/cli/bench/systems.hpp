// The systems `axle bench` compares: axle (its own binary as the worker) and the peers, whose
// workers are small executables built from bench/peers when Debian's packages are installed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "axle/core/result.hpp"
#include "run_cases.hpp"

namespace axle::cli::bench {

// What a system needs around its runs (iceoryx: its RouDi daemon).
class SystemSession {
 public:
  virtual ~SystemSession() = default;
};

struct PreparedSystem {
  System system;
  std::unique_ptr<SystemSession> session;  // ends (daemon stopped) when destroyed
};

// "iceoryx,cyclonedds" → names, checked.
Result<std::vector<std::string>> parse_peers(const std::string& list);

// Locates the worker and starts what the system needs; `work_dir` holds generated files.
Result<PreparedSystem> prepare_system(const std::string& name, const std::string& work_dir,
                                      const std::vector<std::uint64_t>& sizes);

// After a system's session: what it left in /dev/shm or /tmp (must be nothing).
std::vector<std::string> leftovers_of(const std::string& name, const std::string& topic_prefix);

}  // namespace axle::cli::bench
