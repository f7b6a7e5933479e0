// `axle demo`, identity step: this device's fingerprint report (sensitive values masked), a vendor
// CA and a device certificate in the state dir, a signed identity document (EDID-v2), and its
// verification — through the same `axle id` / `axle vendor-ca` commands a user types, so what the
// demo shows is what the CLI does. The certificate is checked again by the openssl CLI.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "demo/demo_io.hpp"
#include "demo/run_tool.hpp"

namespace axle::cli::demo {

namespace {

class AxleRunner {
 public:
  explicit AxleRunner(DemoIo& io) : io_(io), binary_(self_binary()) {}

  // Runs `axle <args> --state-dir <the demo's>`; the command line is shown to the user.
  ToolResult run(std::vector<std::string> args, bool show = true) {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--state-dir", io_.state().path().string()});
    if (!io_.ctx().options.config_file.empty()) {
      argv.insert(argv.end(), {"--config", io_.ctx().options.config_file});
    }
    if (show) {
      std::string line = "  $ axle";
      for (const auto& a : args) line += " " + a;
      io_.say(line);
    }
    return run_tool(argv);
  }

 private:
  DemoIo& io_;
  std::string binary_;
};

Error command_failed(const std::string& what, const ToolResult& r) {
  std::string err = r.err.substr(0, r.err.find('\n'));
  return Error{ErrorCode::kInternal,
               fmt::format("identity demo: {} failed (exit {}): {}", what, r.exit_code, err)};
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

Result<void> run_identity_step(DemoIo& io) {
  io.step("device identity: fingerprint, vendor certificate, signed identity document");
  AxleRunner axle(io);

  // 1. The fingerprint report; values are masked unless --show-sensitive is asked for.
  ToolResult fp = axle.run({"id", "fingerprint", "--json"});
  if (fp.exit_code != 0) return command_failed("axle id fingerprint", fp);
  nlohmann::json report = nlohmann::json::parse(fp.out, nullptr, false);
  if (report.is_discarded()) return make_error(ErrorCode::kInternal, "bad fingerprint report");
  io.say(fmt::format("  fingerprint {} (confidence {:.2f}; high tier {})",
                     report.value("fingerprint", ""), report.value("confidence", 0.0),
                     report.value("high_tier_present", false) ? "present" : "missing"));
  for (const auto& note : report.value("notes", nlohmann::json::array())) {
    io.say("  note: " + note.get<std::string>());
  }
  io.say(fmt::format("  {:<16} {:<8} {:>6} {:>9}  {:<10} {}", "source", "tier", "weight", "time",
                     "verdict", "value (masked)"));
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const auto& s : report.value("sources", nlohmann::json::array())) {
    std::string value = s.value("value", "");
    if (value.empty() && !s.value("reasons", nlohmann::json::array()).empty()) {
      value = "(" + s["reasons"][0].get<std::string>() + ")";
    }
    if (value.size() > 60) value = value.substr(0, 57) + "...";
    io.say(fmt::format("  {:<16} {:<8} {:>6.2f} {:>6.2f} ms  {:<10} {}", s.value("name", ""),
                       s.value("tier", ""), s.value("weight", 0.0), s.value("elapsed_ms", 0.0),
                       s.value("verdict", ""), value));
    sources.push_back({{"name", s.value("name", "")},
                       {"tier", s.value("tier", "")},
                       {"verdict", s.value("verdict", "")},
                       {"fused", s.value("fused", false)}});
  }

  // 2. A vendor CA (once per state dir) and this device's certificate.
  if (!io.state().exists("vendor-ca/root.pem")) {
    ToolResult init = axle.run({"vendor-ca", "init"});
    if (init.exit_code != 0) return command_failed("axle vendor-ca init", init);
    io.record({"key.generate", "vendor CA root key", "success", "demo: create a vendor CA"});
  }
  ToolResult issue = axle.run({"vendor-ca", "issue"});
  if (issue.exit_code != 0) return command_failed("axle vendor-ca issue", issue);
  const std::string root_pem = (io.state().path() / "vendor-ca/root.pem").string();
  const std::string device_pem = (io.state().path() / "identity/device.pem").string();
  ToolResult openssl =
      run_tool({"openssl", "verify", "-CAfile", root_pem, device_pem}, std::chrono::seconds(10));
  const std::string openssl_says = openssl.exit_code == 127 ? "openssl CLI not installed"
                                   : openssl.exit_code == 0 ? "OK"
                                                            : "REFUSED";
  io.say(fmt::format("  device certificate issued; openssl verify -CAfile root.pem: {}",
                     openssl_says));

  // 3. The signed identity document, then its verification: once accepted, then refused as a
  // replay (its nonce is now in the seen-nonce cache), and refused when one byte is changed.
  ToolResult gen = axle.run({"id", "generate", "--json"});
  if (gen.exit_code != 0) return command_failed("axle id generate", gen);
  nlohmann::json doc = nlohmann::json::parse(gen.out, nullptr, false);
  if (doc.is_discarded() || !doc.contains("edid")) {
    return make_error(ErrorCode::kInternal, "axle id generate printed no document");
  }
  const std::string edid = doc["edid"].get<std::string>();
  io.say("  " + edid);
  io.record({"identity.create", edid.substr(0, 24) + "…", "success",
             "demo: real-name identity document"});

  ToolResult verify = axle.run({"id", "verify"});
  const bool verified = verify.exit_code == 0;
  io.say("  → " + (verified ? first_line(verify.out) : "REFUSED: " + first_line(verify.err)));
  ToolResult replay = axle.run({"id", "verify"});
  io.say(fmt::format("  → again: exit {} — {}", replay.exit_code, first_line(replay.err)));
  std::string tampered_text = io.state().read("identity/document.json").value_or("");
  const auto at = tampered_text.find("\"timestamp_ms\":");
  if (at != std::string::npos) tampered_text[at + 16] = tampered_text[at + 16] == '1' ? '2' : '1';
  AXLE_RETURN_IF_ERROR(io.state().write("demo/tampered-identity.json", tampered_text, 0644));
  ToolResult tampered =
      axle.run({"id", "verify", (io.state().path() / "demo/tampered-identity.json").string()});
  io.say(fmt::format("  → one digit of the timestamp changed: exit {} — {}", tampered.exit_code,
                     first_line(tampered.err)));

  io.report("identity") = {{"fingerprint", report.value("fingerprint", "")},
                           {"confidence", report.value("confidence", 0.0)},
                           {"high_tier_present", report.value("high_tier_present", false)},
                           {"sources", sources},
                           {"edid", edid},
                           {"openssl_verify_certificate", openssl_says},
                           {"verified", verified},
                           {"replay_exit_code", replay.exit_code},
                           {"tampered_exit_code", tampered.exit_code}};
  // Exit codes of `axle id verify` (docs/cli.md): 16 replay; 10 malformed or 11 bad signature.
  if (!verified || replay.exit_code != 16 ||
      (tampered.exit_code != 11 && tampered.exit_code != 10)) {
    return make_error(ErrorCode::kInternal, "identity demo: a verification self-check failed");
  }
  return ok();
}

}  // namespace axle::cli::demo
