#include "audit_settings.hpp"

#include "axle/audit/rfc5424.hpp"

namespace axle::cli {

Result<std::string> audit_sd_id(Context& ctx, std::string_view override_value) {
  std::string sd_id(override_value);
  std::string_view from = "--sd-id";
  if (sd_id.empty()) {
    AXLE_TRY(const Config* config, ctx.config());
    sd_id = config->get("audit.sd_id");
    from = "configuration key audit.sd_id";
  }
  if (auto valid = audit::validate_sd_id(sd_id); !valid) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(from) + ": " + valid.error().message +
                          " (an SD-ID is name@<private enterprise number>, e.g. audit@32473)");
  }
  return sd_id;
}

Result<audit::AuditStore> open_audit_store(Context& ctx, const StateDir& state) {
  AXLE_TRY(const Config* config, ctx.config());
  return audit::AuditStore::open(state, config->get("audit.origin"));
}

}  // namespace axle::cli
