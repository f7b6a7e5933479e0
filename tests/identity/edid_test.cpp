#include "axle/identity/edid.hpp"

#include "fixture.hpp"

namespace {

using axle::identity::Digest32;
using axle::identity::EdidParts;

std::string hex(std::span<const std::uint8_t> b) {
  return axle::test::to_hex(std::vector<std::uint8_t>(b.begin(), b.end()));
}

// Expected values computed with Python's hashlib/hmac, independently of axle.
TEST(EdidV2, MatchesIndependentVector) {
  EdidParts parts;
  parts.manufacturer_id.fill(0x01);
  parts.secure_boot_hash.fill(0x02);
  parts.timestamp_ms = 1764028800000;
  parts.nonce.fill(0x03);
  auto id = axle::identity::edid_v2(parts);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "EDID-v2:23a0a0e64d96765d65ddd7a41f66637d54ae4feef9269116e15f1bc72e7fc161");
}

TEST(EdidV2, EveryPartChangesTheIdentifier) {
  EdidParts base;
  base.timestamp_ms = 1;
  auto a = *axle::identity::edid_v2(base);
  EdidParts p = base;
  p.manufacturer_id[31] ^= 1;
  EXPECT_NE(*axle::identity::edid_v2(p), a);
  p = base;
  p.secure_boot_hash[0] ^= 1;
  EXPECT_NE(*axle::identity::edid_v2(p), a);
  p = base;
  p.timestamp_ms = 2;
  EXPECT_NE(*axle::identity::edid_v2(p), a);
  p = base;
  p.nonce[15] ^= 1;
  EXPECT_NE(*axle::identity::edid_v2(p), a);
}

TEST(ManufacturerId, IsHmacOfTheOui) {
  std::vector<std::uint8_t> key(32, 0x0b);
  auto oui = axle::identity::parse_oui("00:1B:21");
  ASSERT_TRUE(oui.ok());
  auto mid = axle::identity::manufacturer_id(key, *oui);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(hex(*mid), "7d6fdddce8784084a9bd06da668754648d3fcb2b50bd76c188b02202c91ff8fd");
}

TEST(ParseOui, AcceptsCommonFormsAndRefusesOthers) {
  for (std::string_view s : {"00:1B:21", "00-1b-21", "001b21"}) {
    auto oui = axle::identity::parse_oui(s);
    ASSERT_TRUE(oui.ok()) << s;
    EXPECT_EQ(hex(*oui), "001b21");
  }
  for (std::string_view s : {"", "00:1B", "00:1B:21:22", "zz:1b:21"}) {
    EXPECT_FALSE(axle::identity::parse_oui(s).ok()) << s;
  }
}

TEST(SecureBootHash, FallsBackToTheFingerprintWithoutTpm) {
  axle::identity::test::FixtureTree tree;
  axle::identity::SourceContext ctx;
  ctx.root = tree.root();
  axle::identity::Fingerprint fp{};
  for (std::size_t i = 0; i < fp.size(); ++i) fp[i] = static_cast<std::uint8_t>(i);
  auto h = axle::identity::secure_boot_hash(ctx, fp);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->from_tpm);
  EXPECT_EQ(hex(h->value), "ae1d4b94fb3b313f2366756d2bcf56317f7e37214b65b81fc3c84375e67c15b8");
}

}  // namespace
