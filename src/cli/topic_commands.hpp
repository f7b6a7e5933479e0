// The `axle topic ...` and `axle node list` commands, one file per kind of work: topic_inspect.cpp
// (list, info, clean, node list: read the registries, join nothing), topic_stream.cpp (echo, pub:
// take part in a topic), topic_rate.cpp (hz, bw: measure a topic). topic_command.cpp wires them
// into the command line.
#pragma once

#include <cstdint>
#include <string>

#include "axle/bus/options.hpp"
#include "axle/core/result.hpp"
#include "context.hpp"

namespace axle::cli::topic {

// The topic's own options, so that a CLI participant matches whatever created it. kNotFound
// names the topic and points at `axle topic list`.
Result<bus::TopicOptions> options_of(const std::string& topic);

int run_list(Context& ctx);
int run_info(Context& ctx, const std::string& topic);
int run_clean(Context& ctx);
int run_node_list(Context& ctx);

struct EchoOptions {
  std::string topic;
  std::uint64_t count = 0;
  double timeout_s = 10;
  bool transient = false;
};
int run_echo(Context& ctx, const EchoOptions& e);

struct PubOptions {
  std::string topic;
  std::string data;
  std::uint64_t count = 1;
  double rate = 10;
};
int run_pub(Context& ctx, const PubOptions& p);

int run_hz(Context& ctx, const std::string& topic, double duration_s);

struct BwOptions {
  std::string topic;
  std::uint64_t window = 100;  // statistics over the last N messages
  double duration_s = 0;       // 0: 5 s, or no limit when count is set
  std::uint64_t count = 0;     // stop after N messages (0: no limit)
  double timeout_s = 10;       // with count and no duration: fail when nothing comes this long
};
int run_bw(Context& ctx, const BwOptions& b);

}  // namespace axle::cli::topic
