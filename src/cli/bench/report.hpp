// What `axle bench` prints: tables grouped by case with each peer's ratio to axle, one JSON
// record per system and case (--json), and the latency histogram chart (SVG).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "axle/perf/floors.hpp"
#include "run_cases.hpp"

namespace axle::cli::bench {

[[nodiscard]] std::string size_label(std::uint64_t bytes);

// Floors as records of system "floor" (busy-poll: cache-line hand-off; blocking: futex wake).
std::vector<LatencyRecord> floor_records(const perf::Floors& floors, const char* when);

nlohmann::ordered_json latency_json(const LatencyRecord& r);
nlohmann::ordered_json throughput_json(const ThroughputRecord& r);

std::string latency_table(const std::vector<LatencyRecord>& records);
std::string throughput_table(const std::vector<ThroughputRecord>& records);

std::string latency_chart(const std::vector<LatencyRecord>& records);

}  // namespace axle::cli::bench
