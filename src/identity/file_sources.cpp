// Sources that read one small file below the root: machine-id, DMI, and the session sources.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "axle/identity/sources.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Values firmware vendors ship when they did not set a real one (SMBIOS "OEM strings").
bool is_placeholder(const std::string& value) {
  static constexpr std::array<std::string_view, 12> kPlaceholders = {
      "",
      "none",
      "0",
      "to be filled by o.e.m.",
      "default string",
      "not specified",
      "not applicable",
      "system serial number",
      "chassis serial number",
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "03000200-0400-0500-0006-000700080009",
  };
  std::string v = lower(value);
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), v) != kPlaceholders.end();
}

class MachineIdSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "machine_id"; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  double weight() const noexcept override { return 0.6; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    // machine-id(5): 32 lower-case hex digits; systemd falls back to the D-Bus copy.
    auto id = detail::read_line(detail::below(ctx.root, "/etc/machine-id"));
    if (!id || id->empty())
      id = detail::read_line(detail::below(ctx.root, "/var/lib/dbus/machine-id"));
    if (!id) return std::move(id).error();
    std::string v = lower(*id);
    bool hex32 = v.size() == 32 && std::all_of(v.begin(), v.end(), [](char c) {
                   return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                 });
    if (!hex32 || v == std::string(32, '0')) {
      return make_error(ErrorCode::kCorrupt,
                        "machine-id is not 32 hex digits (uninitialised or malformed); run "
                        "systemd-machine-id-setup");
    }
    return detail::identifier_reading(v);
  }
};

class DmiSource final : public Source {
 public:
  DmiSource(std::string_view name, std::string_view file, double weight)
      : name_(name), file_(file), weight_(weight) {}
  std::string_view name() const noexcept override { return name_; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  double weight() const noexcept override { return weight_; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    auto path = detail::below(ctx.root, "/sys/class/dmi/id");
    AXLE_TRY(std::string v, detail::read_line(path / file_));
    if (is_placeholder(v)) {
      return make_error(
          ErrorCode::kNotFound,
          fmt::format("DMI {} holds a firmware placeholder, not a real value", file_));
    }
    std::string canonical = name_ == "dmi_product_uuid" ? lower(v) : v;
    return detail::identifier_reading(canonical);
  }

 private:
  std::string name_;
  std::string file_;
  double weight_;
};

class BootIdSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "boot_id"; }
  Tier tier() const noexcept override { return Tier::kSession; }
  double weight() const noexcept override { return 0.0; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    AXLE_TRY(std::string v,
             detail::read_line(detail::below(ctx.root, "/proc/sys/kernel/random/boot_id")));
    return detail::identifier_reading(v);
  }
};

class BootTimeSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "boot_time"; }
  Tier tier() const noexcept override { return Tier::kSession; }
  double weight() const noexcept override { return 0.0; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    // proc(5): "btime <seconds since the epoch>" in /proc/stat.
    auto file = detail::below(ctx.root, "/proc/stat");
    std::ifstream in(file);
    if (!in) {
      return make_error(ErrorCode::kNotFound, fmt::format("{} does not exist", file.string()));
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("btime ", 0) == 0) {
        std::string v = line.substr(6);
        return detail::identifier_reading(v);
      }
    }
    return make_error(ErrorCode::kNotFound, fmt::format("{} has no btime line", file.string()));
  }
};

}  // namespace

std::unique_ptr<Source> make_machine_id_source() { return std::make_unique<MachineIdSource>(); }
std::unique_ptr<Source> make_dmi_product_uuid_source() {
  return std::make_unique<DmiSource>("dmi_product_uuid", "product_uuid", 0.7);
}
std::unique_ptr<Source> make_dmi_board_serial_source() {
  return std::make_unique<DmiSource>("dmi_board_serial", "board_serial", 0.6);
}
std::unique_ptr<Source> make_boot_id_source() { return std::make_unique<BootIdSource>(); }
std::unique_ptr<Source> make_boot_time_source() { return std::make_unique<BootTimeSource>(); }

}  // namespace axle::identity
