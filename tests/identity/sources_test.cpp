#include "axle/identity/sources.hpp"

#include <fstream>

#include "fixture.hpp"

namespace {

using axle::ErrorCode;
using axle::identity::SourceContext;
using axle::identity::test::FixtureTree;

SourceContext context_of(const FixtureTree& tree) {
  SourceContext ctx;
  ctx.root = tree.root();
  return ctx;
}

TEST(MachineIdSource, ReadsBelowRootAndLowercases) {
  FixtureTree tree;
  tree.write("etc/machine-id", "4C4C4544004A3510804CB7C04F4E4D32\n");
  auto r = axle::identity::make_machine_id_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->value, "4c4c4544004a3510804cb7c04f4e4d32");
}

TEST(MachineIdSource, UninitialisedIsRefusedWithoutEchoingIt) {
  FixtureTree tree;
  tree.write("etc/machine-id", "uninitialized\n");
  auto r = axle::identity::make_machine_id_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(r.error().message.find("uninitialized"), std::string::npos);
}

TEST(MachineIdSource, FallsBackToDbusCopy) {
  FixtureTree tree;
  tree.remove("etc/machine-id");
  tree.write("var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n");
  auto r = axle::identity::make_machine_id_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->value, "0123456789abcdef0123456789abcdef");
}

TEST(DmiSource, ReadsUuidAndSerial) {
  FixtureTree tree;
  auto uuid = axle::identity::make_dmi_product_uuid_source()->collect(context_of(tree));
  auto serial = axle::identity::make_dmi_board_serial_source()->collect(context_of(tree));
  ASSERT_TRUE(uuid.ok() && serial.ok());
  EXPECT_EQ(uuid->value, "4c4c4544-004a-3510-804c-b7c04f4e4d32");
  EXPECT_EQ(serial->value, ".7J5MN42.CN7016358G01AB.");
}

TEST(DmiSource, FirmwarePlaceholderIsMissing) {
  FixtureTree tree;
  tree.write("sys/class/dmi/id/board_serial", "To Be Filled By O.E.M.\n");
  tree.write("sys/class/dmi/id/product_uuid", "03000200-0400-0500-0006-000700080009\n");
  auto serial = axle::identity::make_dmi_board_serial_source()->collect(context_of(tree));
  auto uuid = axle::identity::make_dmi_product_uuid_source()->collect(context_of(tree));
  ASSERT_FALSE(serial.ok());
  ASSERT_FALSE(uuid.ok());
  EXPECT_NE(serial.error().message.find("placeholder"), std::string::npos);
}

TEST(DmiSource, AbsentDmiSaysSo) {
  FixtureTree tree;
  tree.remove("sys/class/dmi");
  auto r = axle::identity::make_dmi_product_uuid_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos);
}

TEST(RootDiskSource, FollowsPartitionToDiskAndPrefersWwid) {
  FixtureTree tree;
  auto r = axle::identity::make_root_disk_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->value, "wwid:naa.5000c500a1b2c3d4");
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0], "disk sda");
}

TEST(RootDiskSource, UsesSerialWhenNoWwid) {
  FixtureTree tree;
  tree.remove("sys/class/block/sda/device/wwid");
  auto r = axle::identity::make_root_disk_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->value, "serial:ZA1B2C3D");
}

TEST(RootDiskSource, OverlayRootIsMissing) {
  FixtureTree tree;
  tree.write("proc/self/mountinfo",
             "310 250 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u\n");
  auto r = axle::identity::make_root_disk_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not on a block device"), std::string::npos);
}

TEST(RootDiskSource, LaterMountOnRootWins) {
  FixtureTree tree;
  tree.write("sys/class/block/sdb/dev", "8:16\n");
  tree.write("sys/class/block/sdb/device/serial", "OTHERDISK\n");
  std::string mountinfo = axle::test::read_file(tree.root() / "proc/self/mountinfo");
  tree.write("proc/self/mountinfo",
             mountinfo + "40 21 8:16 / / rw,relatime shared:9 - ext4 /dev/sdb rw\n");
  auto r = axle::identity::make_root_disk_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->value, "serial:OTHERDISK");
}

TEST(NicMacSource, KeepsOnlyPhysicalNicsWithBurntInAddresses) {
  FixtureTree tree;
  auto r = axle::identity::make_nic_mac_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // eno1 and enp3s0 only, lower-cased and sorted.
  EXPECT_EQ(r->value, "00:1b:21:3a:4f:5e,3c:ec:ef:01:02:03");
  auto note_for = [&](const std::string& nic) {
    for (const auto& n : r->notes) {
      if (n.rfind(nic + " ", 0) == 0) return n;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(note_for("lo"), "lo excluded: loopback");
  EXPECT_EQ(note_for("veth9f1c2ab"), "veth9f1c2ab excluded: virtual (by name)");
  EXPECT_EQ(note_for("docker0"), "docker0 excluded: virtual (by name)");
  EXPECT_EQ(note_for("br0"), "br0 excluded: bridge");
  EXPECT_EQ(note_for("tap0"), "tap0 excluded: virtual (by name)");
  EXPECT_EQ(note_for("bond0"), "bond0 excluded: virtual (by name)");
  EXPECT_EQ(note_for("wlp2s0"), "wlp2s0 excluded: locally administered address");
  EXPECT_EQ(note_for("usb0"), "usb0 excluded: address not permanent");
  EXPECT_EQ(note_for("eno1"), "eno1 used");
}

TEST(NicMacSource, DetectsVirtualInterfacesByStructureNotOnlyByName) {
  FixtureTree tree;
  // Renamed interfaces: a bridge, a bond and a tun device without the usual name prefixes.
  for (std::string nic : {"lan", "uplink", "vpn"}) {
    tree.write("sys/class/net/" + nic + "/type", "1\n");
    tree.write("sys/class/net/" + nic + "/address", "00:16:3e:00:00:09\n");
    tree.write("sys/class/net/" + nic + "/device/vendor", "0x8086\n");
  }
  tree.write("sys/class/net/lan/bridge/stp_state", "0\n");
  tree.write("sys/class/net/uplink/bonding/mode", "balance-rr 0\n");
  tree.write("sys/class/net/vpn/tun_flags", "0x1001\n");
  auto r = axle::identity::make_nic_mac_source()->collect(context_of(tree));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, "00:1b:21:3a:4f:5e,3c:ec:ef:01:02:03");
}

TEST(NicMacSource, NoPhysicalNicIsMissingWithReasons) {
  FixtureTree tree;
  tree.remove("sys/class/net/eno1");
  tree.remove("sys/class/net/enp3s0");
  auto r = axle::identity::make_nic_mac_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no physical NIC"), std::string::npos);
  EXPECT_NE(r.error().message.find("lo excluded: loopback"), std::string::npos);
  // Excluded interfaces are named, their addresses are not.
  EXPECT_EQ(r.error().message.find("02:11:22"), std::string::npos);
}

TEST(SessionSources, ReadBootIdAndBootTime) {
  FixtureTree tree;
  auto id = axle::identity::make_boot_id_source()->collect(context_of(tree));
  auto btime = axle::identity::make_boot_time_source()->collect(context_of(tree));
  ASSERT_TRUE(id.ok() && btime.ok());
  EXPECT_EQ(id->value, "0b2d6a4e-7c1f-4e53-9f0a-3d5b8e2c1a77");
  EXPECT_EQ(btime->value, "1764028800");
  EXPECT_EQ(axle::identity::make_boot_id_source()->tier(), axle::identity::Tier::kSession);
}

#if defined(__x86_64__) || defined(__i386__)
TEST(CpuidSource, MatchesProcCpuinfoAndHasNoSerial) {
  auto r = axle::identity::make_cpuid_source()->collect(SourceContext{});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // The kernel's own CPUID decoding is the independent check.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, vendor, family, model, stepping;
  while (std::getline(cpuinfo, line) && (vendor.empty() || stepping.empty())) {
    auto value = [&line] { return line.substr(line.find(':') + 2); };
    if (line.rfind("vendor_id", 0) == 0) vendor = value();
    if (line.rfind("cpu family", 0) == 0) family = value();
    if (line.rfind("model\t", 0) == 0) model = value();
    if (line.rfind("stepping", 0) == 0) stepping = value();
  }
  ASSERT_FALSE(vendor.empty()) << "/proc/cpuinfo has no vendor_id";
  EXPECT_EQ(r->value.substr(0, r->value.find(";signature")), "vendor=" + vendor);
  EXPECT_NE(r->value.find(";family=" + family + ";model=" + model + ";stepping=" + stepping),
            std::string::npos)
      << r->value;
  EXPECT_EQ(r->value.find("serial"), std::string::npos);
}

TEST(RdtscJitterSource, GivesPositiveSamplesAndNoFusedValue) {
  auto src = axle::identity::make_rdtsc_jitter_source();
  auto r = src->collect(SourceContext{});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->value.empty());
  ASSERT_EQ(r->samples.size(), 1024u);
  for (double s : r->samples) ASSERT_GT(s, 0.0);
  EXPECT_DOUBLE_EQ(src->jsd_threshold(), 0.08);
}
#endif

TEST(PcieLatencySource, TimesConfigReadsOfTheFirstDevicesAndFusesNothing) {
  FixtureTree tree;
  const std::string header(256, '\x11');
  for (const char* dev : {"0000:00:00.0", "0000:00:01.0", "0000:00:1f.3"}) {
    tree.write(std::string("sys/bus/pci/devices/") + dev + "/config", header);
  }
  auto source = axle::identity::make_pcie_latency_source();
  EXPECT_DOUBLE_EQ(source->jsd_threshold(), 0.06);
  EXPECT_FALSE(source->sensitive());
  auto r = source->collect(context_of(tree));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->value.empty());  // timing is checked against history, never fused
  ASSERT_FALSE(r->samples.empty());
  EXPECT_EQ(r->samples.size() % 3, 0U);  // whole rounds over the three devices
  for (double x : r->samples) EXPECT_GT(x, 0);
  EXPECT_NE(r->display.find("3 devices"), std::string::npos) << r->display;
}

TEST(PcieLatencySource, NoPciBusIsMissingWithAReason) {
  FixtureTree tree;
  tree.remove("sys/bus/pci");
  auto r = axle::identity::make_pcie_latency_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no PCI bus"), std::string::npos) << r.error().message;

  tree.write("sys/bus/pci/devices/0000:00:00.0/vendor", "0x8086\n");  // no config file
  auto unreadable = axle::identity::make_pcie_latency_source()->collect(context_of(tree));
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.error().code, ErrorCode::kPermissionDenied);
}

TEST(TpmSources, NoTpmDeviceBelowRootIsMissing) {
  FixtureTree tree;
  auto r = axle::identity::make_tpm_pcr_source()->collect(context_of(tree));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("no TPM"), std::string::npos);
}

TEST(TpmSources, UnreachableTctiIsMissing) {
  SourceContext ctx;
  ctx.tpm.tcti = "swtpm:host=127.0.0.1,port=1";  // nothing listens on port 1
  auto r = axle::identity::make_tpm_ek_source()->collect(ctx);
  ASSERT_FALSE(r.ok());
}

}  // namespace
