// axle's side of the benchmark: a perf::Channel over the shared-memory bus (loan, write the
// sequence in place, publish; take, read, release).
#pragma once

#include "axle/perf/worker.hpp"

namespace axle::cli::bench {

[[nodiscard]] Result<std::unique_ptr<perf::Channel>> open_axle_channel(const perf::WorkerSpec& spec,
                                                                       const std::string& out_topic,
                                                                       const std::string& in_topic);

}  // namespace axle::cli::bench
