// `axle config show|keys`: the effective configuration and the documented keys.
#include <fmt/format.h>

#include <iostream>

#include "axle/core/config.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

int run_show(Context& ctx) {
  auto cfg = ctx.config();
  if (!cfg) return ctx.fail(cfg.error());
  const Config& config = **cfg;
  if (ctx.options.json) {
    nlohmann::ordered_json doc;
    // No ?: here: its type would be std::string, built from nullptr when there is no file.
    if (config.file()) {
      doc["file"] = config.file()->string();
    } else {
      doc["file"] = nullptr;
    }
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (const auto& [key, value] : config.values()) {
      values[key] = {{"value", value.text}, {"source", config_source_name(value.source)}};
    }
    doc["values"] = values;
    ctx.print_json(doc);
    return kExitOk;
  }
  std::cout << "# file: " << (config.file() ? config.file()->string() : "(none)") << '\n';
  for (const auto& [key, value] : config.values()) {
    std::cout << fmt::format("{} = \"{}\"    # from {}\n", key, value.text,
                             config_source_name(value.source));
  }
  return kExitOk;
}

int run_keys(Context& ctx) {
  if (ctx.options.json) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::array();
    for (const auto& spec : config_keys()) {
      doc.push_back({{"key", spec.key},
                     {"environment", config_env_name(spec.key)},
                     {"default", spec.default_value},
                     {"allowed", spec.allowed},
                     {"description", spec.doc}});
    }
    ctx.print_json(doc);
    return kExitOk;
  }
  for (const auto& spec : config_keys()) {
    std::cout << fmt::format(
        "{}  (env {}; default {}{})\n    {}\n", spec.key, config_env_name(spec.key),
        spec.default_value.empty() ? "platform" : spec.default_value,
        spec.allowed.empty() ? "" : fmt::format("; one of {}", spec.allowed), spec.doc);
  }
  return kExitOk;
}

}  // namespace

void register_config_command(CLI::App& app, Context& ctx) {
  CLI::App* group = app.add_subcommand("config", "Inspect axle's configuration");
  group->require_subcommand(1);
  set_example(*group, "axle config show --json");

  CLI::App* show = group->add_subcommand(
      "show", "Print the effective configuration and where each value comes from");
  set_example(*show, "AXLE_LOG_LEVEL=debug axle config show");
  show->callback([&ctx] { ctx.exit_code = run_show(ctx); });

  CLI::App* keys = group->add_subcommand(
      "keys", "List every configuration key with its environment variable, default and meaning");
  set_example(*keys, "axle config keys --json");
  keys->callback([&ctx] { ctx.exit_code = run_keys(ctx); });
}

}  // namespace axle::cli
