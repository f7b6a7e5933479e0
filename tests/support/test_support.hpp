// Helpers shared by axle's tests: the shared vectors directory, hex, temporary directories, and
// running the axle binary.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axle::test {

// ../shared beside the checkout, or nullopt when it is absent.
std::optional<std::filesystem::path> shared_dir();

// Loads ../shared/<relative> as JSON; nullopt when ../shared is absent (the caller skips).
std::optional<nlohmann::json> load_shared_json(const std::string& relative);

std::vector<std::uint8_t> from_hex(std::string_view hex);
std::string to_hex(const std::vector<std::uint8_t>& bytes);

// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  pid_t pid = -1;  // the child's pid: names a program derives from its own pid can be checked
};

// Runs `program args...` (no shell), with `env` added to the environment, and a time limit after
// which the child is killed (exit_code is then -1).
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {}, int timeout_seconds = 60);

// Path of the axle executable built with these tests.
std::string axle_binary();

void write_file(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);

}  // namespace axle::test

// Skips the current test, with a message, when ../shared is absent.
#define AXLE_LOAD_VECTORS_OR_SKIP(var, relative)                                      \
  auto var##_opt = ::axle::test::load_shared_json(relative);                          \
  if (!var##_opt)                                                                     \
    GTEST_SKIP() << "../shared/" << (relative) << " is absent; skipping vector test"; \
  const nlohmann::json& var = *var##_opt
