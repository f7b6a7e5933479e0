// Runs a program as the demo shows it to the user: `axle` itself (the binary running the demo)
// or a peer such as the openssl CLI, without a shell, capturing its output, with a time limit.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace axle::cli::demo {

struct ToolResult {
  int exit_code = -1;  // -1: killed (time limit) or could not start; 127: not installed
  std::string out;
  std::string err;
};

[[nodiscard]] ToolResult run_tool(const std::vector<std::string>& argv,
                                  std::chrono::seconds limit = std::chrono::seconds(30));

// This axle binary (/proc/self/exe), for running its own commands as a user would.
[[nodiscard]] std::string self_binary();

}  // namespace axle::cli::demo
