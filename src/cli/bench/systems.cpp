#include "systems.hpp"

#include <unistd.h>

#include <filesystem>

#include "axle/bus/introspect.hpp"
#include "demo/run_tool.hpp"
#include "roudi.hpp"

namespace axle::cli::bench {

namespace {

class RouDiSession final : public SystemSession {
 public:
  explicit RouDiSession(std::unique_ptr<RouDi> roudi) : roudi_(std::move(roudi)) {}

 private:
  std::unique_ptr<RouDi> roudi_;
};

// Next to this binary (build tree, /usr/bin) or in ../libexec/axle (installed).
Result<std::string> find_peer_worker(const std::string& name) {
  const std::filesystem::path self = demo::self_binary();
  const std::string file = "axle-peer-" + name;
  for (const auto& dir : {self.parent_path(), self.parent_path() / "../libexec/axle"}) {
    const auto candidate = dir / file;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal().string();
  }
  return make_error(ErrorCode::kNotFound,
                    "the " + name + " worker (" + file + ") is not built: install " + name +
                        "'s Debian packages (scripts/setup.sh) and rebuild axle");
}

// Cyclone DDS: one domain per run, so that other DDS traffic on the host does not mix in;
// tracing off; the default (network) transport over loopback, as ../shared/peers.md explains.
std::string cyclone_domain() { return std::to_string(10 + ::getpid() % 200); }

}  // namespace

Result<std::vector<std::string>> parse_peers(const std::string& list) {
  std::vector<std::string> peers;
  std::size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    const std::size_t comma = list.find(',', start);
    const std::string name =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name != "iceoryx" && name != "cyclonedds") {
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown peer '" + name + "': the peers are iceoryx and cyclonedds");
    }
    peers.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return peers;
}

Result<PreparedSystem> prepare_system(const std::string& name, const std::string& work_dir,
                                      const std::vector<std::uint64_t>& sizes) {
  PreparedSystem p;
  p.system.name = name;
  if (name == "axle") {
    p.system.command = {demo::self_binary(), "bench", "worker"};
    return p;
  }
  AXLE_TRY(auto worker, find_peer_worker(name));
  p.system.command = {worker};
  if (name == "iceoryx") {
    AXLE_TRY(auto roudi, RouDi::start(work_dir, sizes));
    p.session = std::make_unique<RouDiSession>(std::move(roudi));
  } else {
    p.system.env = {{"AXLE_BENCH_DDS_DOMAIN", cyclone_domain()},
                    {"CYCLONEDDS_URI",
                     "<CycloneDDS><Domain id=\"any\"><Tracing><Verbosity>none</Verbosity>"
                     "</Tracing></Domain></CycloneDDS>"}};
  }
  return p;
}

std::vector<std::string> leftovers_of(const std::string& name, const std::string& topic_prefix) {
  std::vector<std::string> left;
  if (name == "iceoryx") return RouDi::leftovers();
  if (name == "axle") {
    auto topics = bus::list_topics();
    if (!topics) return {topics.error().to_string()};
    for (const std::string& t : *topics) {
      if (t.rfind(topic_prefix, 0) == 0) left.push_back(t);
    }
  }
  return left;
}

}  // namespace axle::cli::bench
