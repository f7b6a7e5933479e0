// The `openssl speed` peer of the crypto benchmark: finds the openssl binary, runs it as a child
// process and parses its machine-readable (-mr) output.
//
// Output read here (OpenSSL 3.0, `-mr`): stdout carries
//   +H:16:64:256                      the block sizes of a symmetric run
//   +F:<i>:<name>:<B/s>:<B/s>:<B/s>   bytes per second, one per block size
//   +F4:<i>:<bits>:<sign/s>:<verify/s>          ECDSA
//   +F6:<i>:<bits>:<name>:<sign/s>:<verify/s>   EdDSA
// and stderr the per-run counts (+DT/+DTP/+R lines), which are not needed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::bench {

// Pins this process, and so the openssl children (affinity is inherited), to the CPU it runs on.
// On a VM the vCPUs are not equally fast at every moment (a host core may be shared with a busy
// neighbour); without pinning, axle and openssl could each run on a different one, and the ratio
// would compare vCPUs, not implementations. Returns the line that says what happened.
std::string pin_to_current_cpu();

// The openssl executable: `override_path` when non-empty (nullopt unless it is executable),
// otherwise the first `openssl` on PATH.
std::optional<std::string> find_openssl(std::string_view override_path);

struct ProcessOutput {
  int exit_code = -1;  // -1 when the child was killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs `program args...` without a shell, capturing stdout and stderr. The child is killed (and
// kTimeout returned) when it outlives `timeout`.
[[nodiscard]] Result<ProcessOutput> run_process(const std::string& program,
                                                const std::vector<std::string>& args,
                                                std::chrono::seconds timeout);

// (block size, bytes per second) for every block size of one symmetric algorithm's run.
[[nodiscard]] Result<std::vector<std::pair<std::size_t, double>>> parse_symmetric(
    std::string_view mr_output);

struct SignatureSpeed {
  double sign_per_s = 0;
  double verify_per_s = 0;
};

// The sign/verify rates of a run of exactly one signature algorithm (ed25519, ecdsap256, ...).
[[nodiscard]] Result<SignatureSpeed> parse_signature(std::string_view mr_output);

// `openssl speed -mr -elapsed -seconds N ...`: wall-clock rates (as the axle side measures), one
// algorithm and one block size per run so that runs interleave with axle's measurements.
class OpensslSpeed {
 public:
  OpensslSpeed(std::string binary, int seconds) : binary_(std::move(binary)), seconds_(seconds) {}

  // Bytes per second for `selection` (e.g. {"-evp", "sha256"}, {"-hmac", "sha256"},
  // {"-aead", "-evp", "aes-256-gcm"}) on `block_size`-byte buffers.
  [[nodiscard]] Result<double> symmetric(const std::vector<std::string>& selection,
                                         std::size_t block_size) const;
  // Signs and verifies per second for `algorithm` ("ed25519", "ecdsap256").
  [[nodiscard]] Result<SignatureSpeed> signature(const std::string& algorithm) const;
  // First line of `openssl version`.
  [[nodiscard]] Result<std::string> version() const;

  [[nodiscard]] const std::string& binary() const noexcept { return binary_; }

 private:
  [[nodiscard]] Result<std::string> speed(std::vector<std::string> args) const;

  std::string binary_;
  int seconds_;
};

}  // namespace axle::bench
