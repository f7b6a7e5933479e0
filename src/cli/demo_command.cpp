// `axle demo`: the end-to-end tour of what axle can do today. It grows with every capability,
// finishes by itself and leaves nothing running; its files stay in <state-dir>/demo/. Each
// subsystem's step is in its own file under demo/.
#include <fmt/format.h>

#include <string>

#include "context.hpp"
#include "demo/demo_io.hpp"

namespace axle::cli {

namespace {

// Capabilities that are planned but not built yet, in the order they land.
constexpr std::string_view kStillToCome[] = {
    "pluggable serialization, DDS/ROS 2 bridge, time sync, supervisor",
    "identity lifecycle registry (SQLite, PostgreSQL) and privacy tools",
};

Result<void> run_steps(demo::DemoIo& io) {
  io.say(fmt::format("axle demo — state directory {}", io.state().path().string()));
  io.report("state_dir") = io.state().path().string();
  AXLE_RETURN_IF_ERROR(demo::run_crypto_steps(io));
  AXLE_RETURN_IF_ERROR(demo::run_identity_step(io));
  AXLE_RETURN_IF_ERROR(demo::run_bus_step(io));
  AXLE_RETURN_IF_ERROR(demo::run_audit_step(io));

  io.step("still to come");
  nlohmann::ordered_json todo = nlohmann::ordered_json::array();
  for (auto item : kStillToCome) {
    io.say(fmt::format("  - {}", item));
    todo.push_back(item);
  }
  io.report("still_to_come") = todo;
  io.say("demo finished: nothing is left running.");
  return ok();
}

int run_demo(Context& ctx) {
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  demo::DemoIo io(ctx, *state);
  auto result = run_steps(io);
  if (!result) return ctx.fail(result.error());
  if (ctx.options.json) {
    nlohmann::ordered_json doc = io.whole_report();
    doc["ok"] = true;
    ctx.print_json(doc);
  }
  return kExitOk;
}

}  // namespace

void register_demo_command(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the end-to-end tour: derive keys, sign and verify a document, encrypt a record");
  set_example(*cmd, "axle demo --state-dir /tmp/axle-demo");
  cmd->callback([&ctx] { ctx.exit_code = run_demo(ctx); });
}

}  // namespace axle::cli
