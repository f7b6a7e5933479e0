// One side of a two-process benchmark (docs/benchmarks.md, "Bus"): the same loops drive every
// system under test, so axle, iceoryx and Cyclone DDS are timed by identical code. A system
// provides a Channel (send one message, receive one message); `axle bench` starts the workers
// (the `axle` binary for axle, small peer executables for the others) and reads their results.
//
// Roles: ping sends on <topic>.ping and times the echo from <topic>.pong (one-way latency = round
// trip / 2, as iceoryx's and Cyclone's own benchmarks count it); pong echoes; pub publishes
// <topic>.data as fast as the system allows for a time; sub counts what arrives.
//
// Protocol on standard output, one line each: "ready" once the channel exists; a subscriber
// prints "matched" when its first probe arrives; at the end one JSON object (the result). A
// publisher starts measuring when it reads "go" on standard input.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::perf {

enum class Role { kPing, kPong, kPublisher, kSubscriber };
enum class WaitMode {
  kBlocking,  // the receiver sleeps in the system's own blocking wait
  kBusyPoll,  // the receiver spins on the system's non-blocking take
};

// Sequence numbers carried in a message's first 8 bytes.
inline constexpr std::uint64_t kProbeSeq = 0;                 // discovery probes, not measured
inline constexpr std::uint64_t kStopSeq = ~std::uint64_t{0};  // the end of a run

struct WorkerSpec {
  Role role = Role::kPing;
  std::string topic = "axle_bench";
  std::uint64_t size = 64;  // payload bytes per message (>= 8)
  WaitMode mode = WaitMode::kBlocking;
  std::uint64_t count = 10'000;   // ping: measured round trips at most
  std::uint64_t warmup = 1'000;   // ping: round trips before measuring
  double seconds = 5.0;           // ping: measuring stops after this; pub: publishing time
  std::uint32_t subscribers = 1;  // pub/sub: subscribers of the data topic (queue sizing)
  std::uint32_t index = 0;        // distinguishes workers of one role (names must be unique)
  bool touch = false;             // write and read the whole payload, not only the sequence
  // ping: also writes every one-way sample (int64 ns, native byte order) to this file, so that
  // the runs of one case in several rounds can be merged exactly. Empty: not written.
  std::string samples_file;
};

[[nodiscard]] std::string_view role_name(Role role) noexcept;
[[nodiscard]] std::string_view mode_name(WaitMode mode) noexcept;
[[nodiscard]] Result<WaitMode> parse_mode(std::string_view name);

// "--role ping --topic t --size 64 ..." and back.
[[nodiscard]] std::vector<std::string> worker_arguments(const WorkerSpec& spec);
[[nodiscard]] Result<WorkerSpec> parse_worker_arguments(const std::vector<std::string>& args);

class Channel {
 public:
  virtual ~Channel() = default;
  // Publishes one message of spec.size bytes with `seq` in its first 8 bytes (loaned and written
  // in place where the system offers zero copy; with spec.touch the whole payload is written).
  virtual Result<void> send(std::uint64_t seq) = 0;
  // The next message's sequence number, waiting up to `timeout_ns` in the spec's wait mode;
  // nullopt when none arrived in time. With spec.touch the whole payload is read.
  virtual Result<std::optional<std::uint64_t>> receive(std::int64_t timeout_ns) = 0;
};

// Opens the channel of one worker: publishes on `out_topic` and subscribes to `in_topic` (either
// may be empty: pub has no input, sub no output).
using ChannelFactory = std::function<Result<std::unique_ptr<Channel>>(
    const WorkerSpec& spec, const std::string& out_topic, const std::string& in_topic)>;

// Runs one worker to the end and returns its result line (JSON). Prints the protocol lines.
[[nodiscard]] Result<std::string> run_worker(const WorkerSpec& spec, const ChannelFactory& open);

// main() of a peer worker executable: parses argv, runs, prints the result or a one-line error
// ({"error": ...}) and returns the exit code.
int worker_main(int argc, char** argv, const ChannelFactory& open);

// Helpers for Channel implementations: the payload's sequence number, and the whole-payload
// write/read of touch mode (the read's result is returned so it cannot be optimised away).
void write_payload(void* payload, std::uint64_t size, std::uint64_t seq, bool touch) noexcept;
std::uint64_t read_payload(const void* payload, std::uint64_t size, bool touch) noexcept;

}  // namespace axle::perf
