// Sources that walk sysfs: the root disk's serial or WWN, and the MACs of physical NICs.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "axle/identity/sources.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool entry_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

// proc(5) mountinfo: "id parent major:minor root mountpoint ...": the device of the last mount
// on "/" (a later mount hides an earlier one).
Result<std::string> root_device_number(const fs::path& root) {
  auto file = detail::below(root, "/proc/self/mountinfo");
  std::ifstream in(file);
  if (!in) return make_error(ErrorCode::kNotFound, fmt::format("{} does not exist", file.string()));
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, mroot, mountpoint;
    if (fields >> id >> parent >> dev >> mroot >> mountpoint && mountpoint == "/") found = dev;
  }
  if (found.empty()) {
    return make_error(ErrorCode::kNotFound, "no mount on / in mountinfo");
  }
  return found;
}

class RootDiskSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "root_disk"; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  double weight() const noexcept override { return 0.5; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    AXLE_TRY(std::string dev, root_device_number(ctx.root));
    if (dev.rfind("0:", 0) == 0) {
      return make_error(ErrorCode::kNotFound,
                        "the root filesystem is not on a block device (overlay, tmpfs or NFS)");
    }
    fs::path block = detail::below(ctx.root, "/sys/class/block");
    fs::path disk;
    for (const auto& entry : sorted_entries(block)) {
      auto d = detail::read_line(entry / "dev");
      if (d && *d == dev) disk = entry;
    }
    if (disk.empty()) {
      return make_error(ErrorCode::kNotFound,
                        fmt::format("no entry in {} has device number {}", block.string(), dev));
    }
    // Up to a few levels: partition -> disk, device-mapper -> first underlying device.
    for (int depth = 0; depth < 4; ++depth) {
      if (entry_exists(disk / "partition")) {
        fs::path parent;
        for (const auto& entry : sorted_entries(block)) {
          if (entry_exists(entry / disk.filename())) parent = entry;
        }
        if (parent.empty()) break;
        disk = parent;
        continue;
      }
      auto slaves = sorted_entries(disk / "slaves");
      if (slaves.empty()) break;
      disk = block / slaves.front().filename();
    }
    // A WWN is globally unique by construction; a serial is unique per vendor and model.
    for (std::string_view file : {"device/wwid", "wwid", "device/serial", "serial"}) {
      auto v = detail::read_line(disk / file);
      if (v && !v->empty()) {
        std::string kind = file.find("wwid") != std::string_view::npos ? "wwid" : "serial";
        std::string value = kind + ":" + *v;
        return detail::identifier_reading(value,
                                          {fmt::format("disk {}", disk.filename().string())});
      }
    }
    return make_error(
        ErrorCode::kNotFound,
        fmt::format("root disk {} exposes no serial or WWN in sysfs", disk.filename().string()));
  }
};

// Why an interface is not a physical NIC with a burnt-in address; empty when it is one.
std::string exclusion(const fs::path& dir) {
  std::string name = dir.filename().string();
  auto type = detail::read_line(dir / "type");
  if (name == "lo" || (type && *type == "772")) return "loopback";
  for (std::string_view prefix : {"veth", "docker", "br-", "virbr", "tun", "tap", "bond"}) {
    if (name.rfind(prefix, 0) == 0) return "virtual (by name)";
  }
  if (entry_exists(dir / "bridge")) return "bridge";
  if (entry_exists(dir / "bonding")) return "bond";
  if (entry_exists(dir / "tun_flags")) return "tun/tap";
  if (!entry_exists(dir / "device")) return "virtual (no backing device)";
  if (!type || *type != "1") return "not Ethernet";
  auto assign = detail::read_line(dir / "addr_assign_type");
  if (assign && *assign != "0") return "address not permanent";
  auto address = detail::read_line(dir / "address");
  if (!address || address->size() != 17) return "no MAC address";
  unsigned first = 0;
  try {
    first = static_cast<unsigned>(std::stoul(address->substr(0, 2), nullptr, 16));
  } catch (const std::exception&) {
    return "malformed MAC address";
  }
  // IEEE 802: bit 1 of the first octet marks a locally administered address, bit 0 multicast.
  if ((first & 0x02U) != 0) return "locally administered address";
  if ((first & 0x01U) != 0) return "multicast address";
  if (*address == "00:00:00:00:00:00") return "zero address";
  return {};
}

class NicMacSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "nic_macs"; }
  Tier tier() const noexcept override { return Tier::kLow; }
  double weight() const noexcept override { return 0.2; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    std::vector<std::string> macs;
    std::vector<std::string> notes;
    for (const auto& dir : sorted_entries(detail::below(ctx.root, "/sys/class/net"))) {
      std::string why = exclusion(dir);
      if (!why.empty()) {
        notes.push_back(fmt::format("{} excluded: {}", dir.filename().string(), why));
        continue;
      }
      std::string mac = *detail::read_line(dir / "address");
      std::transform(mac.begin(), mac.end(), mac.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      macs.push_back(mac);
      notes.push_back(fmt::format("{} used", dir.filename().string()));
    }
    if (macs.empty()) {
      std::string detail;
      for (const auto& n : notes) detail += (detail.empty() ? "" : "; ") + n;
      return make_error(ErrorCode::kNotFound,
                        fmt::format("no physical NIC with a burnt-in address ({})",
                                    detail.empty() ? "no interfaces" : detail));
    }
    std::sort(macs.begin(), macs.end());
    macs.erase(std::unique(macs.begin(), macs.end()), macs.end());
    std::string value;
    for (const auto& m : macs) value += (value.empty() ? "" : ",") + m;
    return detail::identifier_reading(value, notes);
  }
};

}  // namespace

std::unique_ptr<Source> make_root_disk_source() { return std::make_unique<RootDiskSource>(); }
std::unique_ptr<Source> make_nic_mac_source() { return std::make_unique<NicMacSource>(); }

}  // namespace axle::identity
