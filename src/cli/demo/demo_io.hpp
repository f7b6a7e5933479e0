// What every step of `axle demo` shares: where it prints, the JSON report it fills, the state
// directory, and the list of sensitive operations the demo performed (the audit step records
// them in the audit log). Each subsystem's step lives in its own file under src/cli/demo/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/state_dir.hpp"
#include "context.hpp"

namespace axle::cli::demo {

// A sensitive operation the demo carried out, in the audit log's vocabulary
// (src/audit/data/audit_ops.json).
struct SensitiveOp {
  std::string op;       // e.g. "key.generate"
  std::string target;   // what it acted on
  std::string outcome;  // "success" or "failure"
  std::string reason;   // why the demo did it
};

class DemoIo {
 public:
  DemoIo(Context& ctx, StateDir& state) : ctx_(ctx), state_(state) {}

  Context& ctx() { return ctx_; }
  const StateDir& state() const { return state_; }
  bool json() const { return ctx_.options.json; }

  // Prints a line for people (nothing with --json, where the report is printed at the end).
  void say(const std::string& line) const;
  // Starts a numbered section.
  void step(std::string_view title);
  // The report's member for this step; printed with --json.
  nlohmann::ordered_json& report(const std::string& key) { return report_[key]; }
  const nlohmann::ordered_json& whole_report() const { return report_; }

  void record(SensitiveOp op) { ops_.push_back(std::move(op)); }
  const std::vector<SensitiveOp>& recorded() const { return ops_; }

  static std::string_view yes_no(bool b) { return b ? "yes" : "NO"; }

 private:
  Context& ctx_;
  StateDir& state_;
  nlohmann::ordered_json report_ = nlohmann::ordered_json::object();
  std::vector<SensitiveOp> ops_;
  int step_ = 0;
};

// The steps, in the order the demo runs them.
Result<void> run_crypto_steps(DemoIo& io);
Result<void> run_identity_step(DemoIo& io);
Result<void> run_bus_step(DemoIo& io);
// Last: records what the steps before it did.
Result<void> run_audit_step(DemoIo& io);

}  // namespace axle::cli::demo
