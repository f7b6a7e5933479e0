// `axle version`: what this binary is and what its crypto provider can do.
#include <iostream>

#include "axle/core/build_info.hpp"
#include "axle/crypto/provider.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

int run_version(Context& ctx) {
  const BuildInfo& info = build_info();
  const std::string openssl = crypto::openssl_version();
  const bool fips = crypto::fips_provider_available();
  if (ctx.options.json) {
    nlohmann::ordered_json doc;
    doc["version"] = info.version;
    doc["git_commit"] = info.git_commit;
    doc["build_type"] = info.build_type;
    doc["compiler"] = info.compiler;
    doc["sanitizers"] = info.sanitizers;
    doc["openssl_version"] = openssl;
    doc["fips_provider_available"] = fips;
    ctx.print_json(doc);
    return kExitOk;
  }
  std::cout << "axle " << info.version << " (commit " << info.git_commit << ", " << info.build_type
            << " build, " << info.compiler << (info.sanitizers.empty() ? "" : ", sanitizers: ")
            << info.sanitizers << ")\n"
            << "crypto: " << openssl << "; FIPS provider " << (fips ? "available" : "not available")
            << '\n';
  return kExitOk;
}

}  // namespace

void register_version_command(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "version", "Show the version, git commit, build type, OpenSSL version and FIPS availability");
  set_example(*cmd, "axle version --json");
  cmd->callback([&ctx] { ctx.exit_code = run_version(ctx); });
}

}  // namespace axle::cli
