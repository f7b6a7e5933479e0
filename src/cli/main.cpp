// The `axle` executable: parses arguments, dispatches to one command group, maps errors to exit
// codes. Commands hold no logic a library user would need; they call the libraries and print.
#include <iostream>

#include "axle/core/build_info.hpp"
#include "context.hpp"

namespace {

// CLI11 reports an unknown command as "a subcommand is required"; name the word instead.
std::string usage_problem(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    for (int i = 1; i < argc; ++i) {
      std::string_view word = argv[i];
      if (word.empty()) continue;
      if (word[0] == '-') {
        // Skip the value of a global option given as "--name value".
        const CLI::Option* opt = app.get_option_no_throw(std::string(word));
        if (word.find('=') == std::string_view::npos && opt != nullptr &&
            opt->get_expected_min() > 0)
          ++i;
        continue;
      }
      bool known = false;
      for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[i]);
      if (!known) return "unknown command '" + std::string(word) + "'";
      break;
    }
  }
  return e.what();
}

}  // namespace

int main(int argc, char** argv) {
  using axle::cli::kExitUsage;
  axle::cli::Context ctx;

  CLI::App app{
      "axle: middleware and trust plane for vehicles, robots and IoT fleets.\n"
      "Zero-copy publish/subscribe, device identity and a tamper-evident audit log.",
      "axle"};
  app.fallthrough();  // global options are accepted after the subcommand, too
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", std::string(axle::build_info().version));
  app.add_option("--config", ctx.options.config_file,
                 "Configuration file (TOML); default /etc/axle/axle.toml as root, else "
                 "~/.config/axle/axle.toml, when present")
      ->envname("AXLE_CONFIG");
  app.add_option("--state-dir", ctx.options.state_dir,
                 "State directory; default /var/lib/axle as root, else ~/.local/state/axle");
  app.add_option("--log-level", ctx.options.log_level,
                 "trace, debug, info, warn (default), error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--log-format", ctx.options.log_format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--json", ctx.options.json, "Print results as JSON on standard output");
  axle::cli::set_example(app, "axle demo        (then: axle <command> --help)");
  app.footer(app.get_footer() +
             "\n\nExit codes: 0 success, 1 failure, 2 usage error. Errors go to standard error "
             "as one line.\nDocumentation: docs/cli.md");

  axle::cli::register_version_command(app, ctx);
  axle::cli::register_config_command(app, ctx);
  axle::cli::register_demo_command(app, ctx);
  axle::cli::register_audit_command(app, ctx);
  axle::cli::register_topic_command(app, ctx);
  axle::cli::register_id_command(app, ctx);
  axle::cli::register_vendor_ca_command(app, ctx);
  axle::cli::register_bench_command(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "axle: usage error: " << usage_problem(app, e, argc, argv)
              << "; run 'axle --help'\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    // A library bug must not look like success; the libraries themselves do not throw.
    std::cerr << "axle: error: unexpected failure: " << e.what()
              << "; please report it with the command that caused it\n";
    return axle::cli::kExitFailure;
  }
  return ctx.exit_code;
}
