// `axle vendor-ca init|issue`: a vendor CA for demos and tests, and this device's certificate.
#include <iostream>

#include "axle/core/files.hpp"
#include "axle/identity/derived_keys.hpp"
#include "axle/identity/device_certificate.hpp"
#include "axle/identity/edid.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

struct VendorCaOptions {
  identity::VendorCaInit init;
  std::string root = "/";
  std::string tcti;
  std::string oui;
  std::string common_name;
  int days = 365;
  // revoke
  std::string certificate;
  std::string reason;
};

int run_init(Context& ctx, const VendorCaOptions& opt) {
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  auto ca = identity::VendorCa::init(*state, opt.init);
  if (!ca) return ctx.fail(ca.error());
  auto root = state->file(identity::kVendorRootCertFile);
  const std::string oui = ca->oui() ? identity::format_oui(*ca->oui()) : "";
  if (ctx.options.json) {
    ctx.print_json(
        {{"ok", true}, {"root_certificate", root ? root->string() : ""}, {"vendor_oui", oui}});
  } else {
    std::cout << "vendor CA created; root certificate " << (root ? root->string() : "")
              << "; vendor OUI " << oui << '\n';
  }
  return kExitOk;
}

// Issues the certificate of this device's identity key (derived from its fingerprint and device
// secret) and stores it with the ManufacturerID in <state-dir>/identity/.
Result<std::string> issue(Context& ctx, const VendorCaOptions& opt) {
  AXLE_TRY(StateDir state, ctx.state_dir());
  AXLE_TRY(identity::VendorCa ca, identity::VendorCa::load(state));
  identity::FingerprintOptions fopt;
  fopt.context.root = opt.root;
  fopt.context.tpm.tcti = opt.tcti;
  AXLE_TRY(fopt.history_file, identity::history_file(state));
  AXLE_TRY(identity::FingerprintReport report, identity::collect_fingerprint(fopt));
  AXLE_TRY(identity::DeviceSecret secret, identity::open_device_secret(state, fopt.context));
  identity::DeviceCertificateRequest request;
  request.oui = opt.oui;
  request.common_name = opt.common_name;
  request.days = opt.days;
  AXLE_TRY(auto path,
           identity::issue_device_certificate(state, ca, report, secret.secret, request));
  return path.string();
}

int run_issue(Context& ctx, const VendorCaOptions& opt) {
  auto path = issue(ctx, opt);
  if (!path) return ctx.fail(path.error());
  if (ctx.options.json) {
    ctx.print_json({{"ok", true}, {"device_certificate", *path}});
  } else {
    std::cout << "device certificate written to " << *path << '\n';
  }
  return kExitOk;
}

// Revokes a device certificate this CA issued and writes the new CRL.
int run_revoke(Context& ctx, const VendorCaOptions& opt) {
  auto reason = identity::parse_revocation_reason(opt.reason);
  if (!reason) return ctx.fail(reason.error(), kExitUsage);
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  auto ca = identity::VendorCa::load(*state);
  if (!ca) return ctx.fail(ca.error());
  auto cert = read_file(opt.certificate, 1U << 20U);
  if (!cert) return ctx.fail(cert.error());
  auto crl = ca->revoke(*state, *cert, *reason);
  if (!crl) return ctx.fail(crl.error());
  auto path = state->file(identity::kVendorCrlFile);
  if (ctx.options.json) {
    ctx.print_json({{"ok", true}, {"reason", opt.reason}, {"crl", path ? path->string() : ""}});
  } else {
    std::cout << "revoked (" << opt.reason << "); CRL written to " << (path ? path->string() : "")
              << '\n';
  }
  return kExitOk;
}

int run_crl(Context& ctx) {
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  auto ca = identity::VendorCa::load(*state);
  if (!ca) return ctx.fail(ca.error());
  auto crl = ca->refresh_crl(*state);
  if (!crl) return ctx.fail(crl.error());
  if (ctx.options.json) {
    auto path = state->file(identity::kVendorCrlFile);
    ctx.print_json({{"ok", true}, {"crl", path ? path->string() : ""}, {"pem", *crl}});
  } else {
    std::cout << *crl;
  }
  return kExitOk;
}

}  // namespace

void register_vendor_ca_command(CLI::App& app, Context& ctx) {
  CLI::App* group =
      app.add_subcommand("vendor-ca", "A vendor CA for demos and tests (keys in files, 0600)");
  group->require_subcommand(1);
  set_example(*group, "axle vendor-ca init && axle vendor-ca issue");
  auto opt = std::make_shared<VendorCaOptions>();

  CLI::App* init = group->add_subcommand(
      "init",
      "Create the vendor root CA (ECDSA P-256) and vendor MAC key in <state-dir>/vendor-ca");
  init->add_option("--name", opt->init.name, "Vendor name in the CA's subject");
  init->add_option("--oui", opt->init.oui,
                   "The vendor's IEEE OUI, the default of the ManufacturerIDs it gives (default "
                   "00:00:5E, IANA's, for demos)");
  init->add_option("--days", opt->init.days, "Validity of the root in days (default 3650)")
      ->check(CLI::Range(1, 36500));
  init->add_flag("--force", opt->init.force, "Replace an existing CA");
  set_example(*init, "axle vendor-ca init --name 'Example Robotics' --oui 00:1B:21");
  init->callback([&ctx, opt] { ctx.exit_code = run_init(ctx, *opt); });

  CLI::App* issue_cmd = group->add_subcommand(
      "issue",
      "Issue this device's certificate for its identity key and its ManufacturerID "
      "(HMAC of the OUI under the vendor key)");
  issue_cmd->add_option("--oui", opt->oui,
                        "Manufacturer OUI, e.g. 00:1B:21 (default: the vendor CA's, from init)");
  issue_cmd->add_option("--cn", opt->common_name, "Common name (default axle-device-<fp prefix>)");
  issue_cmd->add_option("--days", opt->days, "Validity in days (default 365)")
      ->check(CLI::Range(1, 36500));
  issue_cmd->add_option("--root", opt->root, "Read sysfs, procfs and /etc below this directory")
      ->check(CLI::ExistingDirectory);
  issue_cmd->add_option("--tcti", opt->tcti, "TPM TCTI (default device:<root>/dev/tpmrm0)");
  set_example(*issue_cmd, "axle vendor-ca issue --oui 00:1B:21");
  issue_cmd->callback([&ctx, opt] { ctx.exit_code = run_issue(ctx, *opt); });

  CLI::App* revoke = group->add_subcommand(
      "revoke",
      "Revoke a device certificate this CA issued (final) and write the new CRL to "
      "<state-dir>/vendor-ca/crl.pem, which 'axle id verify' then applies");
  revoke->add_option("CERT", opt->certificate, "The device certificate (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  revoke
      ->add_option("--reason", opt->reason,
                   "unspecified, key-compromise, affiliation-changed, superseded or "
                   "cessation-of-operation")
      ->required();
  set_example(*revoke, "axle vendor-ca revoke device.pem --reason key-compromise");
  revoke->callback([&ctx, opt] { ctx.exit_code = run_revoke(ctx, *opt); });

  CLI::App* crl = group->add_subcommand(
      "crl", "Issue a fresh CRL of every revocation so far (valid 30 days) and print it");
  set_example(*crl, "axle vendor-ca crl > vendor.crl.pem");
  crl->callback([&ctx] { ctx.exit_code = run_crl(ctx); });
}

}  // namespace axle::cli
