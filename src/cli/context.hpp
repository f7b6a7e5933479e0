// What every `axle` command shares: the global options, the configuration (loaded once, on
// first use), and the one way to print results and errors.
//
// Exit codes (docs/cli.md): 0 success, 1 failure, 2 usage error (bad arguments or options).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "axle/core/config.hpp"
#include "axle/core/result.hpp"
#include "axle/core/state_dir.hpp"

namespace axle::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string config_file;
  std::string state_dir;
  std::string log_level;
  std::string log_format;
  bool json = false;
};

class Context {
 public:
  GlobalOptions options;
  int exit_code = kExitOk;

  // The configuration with the global options applied; logging and FIPS mode are set up from it
  // on first use.
  Result<const Config*> config();
  Result<StateDir> state_dir();

  // Prints `error` as one line on stderr (and as JSON on stdout with --json); returns the exit
  // code.
  int fail(const Error& error, int exit_code = kExitFailure);
  // Prints a JSON document on stdout.
  void print_json(const nlohmann::ordered_json& doc) const;

 private:
  std::optional<Config> config_;
};

// Adds the "Example:" footer that every command's --help shows.
void set_example(CLI::App& app, const std::string& example);

// Command groups; each file registers its own.
void register_version_command(CLI::App& app, Context& ctx);
void register_config_command(CLI::App& app, Context& ctx);
void register_demo_command(CLI::App& app, Context& ctx);
void register_audit_command(CLI::App& app, Context& ctx);
void register_topic_command(CLI::App& app, Context& ctx);
void register_id_command(CLI::App& app, Context& ctx);
void register_vendor_ca_command(CLI::App& app, Context& ctx);
void register_bench_command(CLI::App& app, Context& ctx);

}  // namespace axle::cli
