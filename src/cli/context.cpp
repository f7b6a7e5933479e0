#include "context.hpp"

#include <iostream>

#include "axle/core/log.hpp"
#include "axle/crypto/provider.hpp"

namespace axle::cli {

Result<const Config*> Context::config() {
  if (config_) return &*config_;
  ConfigLoadOptions load;
  if (!options.config_file.empty()) load.file = options.config_file;
  load.environment = ConfigLoadOptions::process_environment();
  if (!options.state_dir.empty()) load.command_line["state_dir"] = options.state_dir;
  if (!options.log_level.empty()) load.command_line["log.level"] = options.log_level;
  if (!options.log_format.empty()) load.command_line["log.format"] = options.log_format;
  AXLE_TRY(Config loaded, Config::load(load));

  AXLE_TRY(log::Level level, log::parse_level(loaded.get("log.level")));
  AXLE_TRY(log::Format format, log::parse_format(loaded.get("log.format")));
  log::configure(level, format);
  if (loaded.get_bool("crypto.fips") && !crypto::fips_mode_enabled()) {
    AXLE_RETURN_IF_ERROR(crypto::enable_fips_mode());
  }
  config_ = std::move(loaded);
  return &*config_;
}

Result<StateDir> Context::state_dir() {
  AXLE_TRY(const Config* cfg, config());
  return StateDir::open(cfg->get("state_dir"));
}

int Context::fail(const Error& error, int code) {
  std::string message = log::redact({}, error.message);
  std::cerr << "axle: error: " << message << '\n';
  if (options.json) {
    nlohmann::ordered_json doc;
    doc["ok"] = false;
    doc["error"] = {{"code", std::string(error_code_name(error.code))}, {"message", message}};
    print_json(doc);
  }
  exit_code = code;
  return code;
}

void Context::print_json(const nlohmann::ordered_json& doc) const {
  std::cout << doc.dump(2) << '\n';
}

void set_example(CLI::App& app, const std::string& example) {
  app.footer("\nExample:\n  " + example);
}

}  // namespace axle::cli
