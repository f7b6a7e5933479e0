#include "axle/audit/checkpoint.hpp"

#include <gtest/gtest.h>

#include <string>

namespace axle::audit {
namespace {

crypto::PrivateKey test_key(std::uint8_t seed_byte = 7) {
  std::vector<std::uint8_t> seed(32, seed_byte);
  return std::move(crypto::PrivateKey::ed25519_from_seed(seed)).value();
}

Checkpoint sample() {
  Checkpoint c;
  c.origin = "example.com/audit/gw-1";
  c.size = 1234;
  c.root.fill(0x5A);
  return c;
}

TEST(Checkpoint, FormatMatchesTlogCheckpointText) {
  auto text = format_checkpoint(sample());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "example.com/audit/gw-1\n1234\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n");
  auto back = parse_checkpoint(*text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size, 1234U);
  EXPECT_EQ(back->root, sample().root);
}

TEST(Checkpoint, ParseRefusesLeadingZerosShortRootAndMissingNewline) {
  EXPECT_FALSE(parse_checkpoint("o\n01\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n").ok());
  EXPECT_FALSE(parse_checkpoint("o\n1\nWlpa\n").ok());
  EXPECT_FALSE(parse_checkpoint("o\n1\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=").ok());
  EXPECT_FALSE(parse_checkpoint("o\n1\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n\n").ok());
}

TEST(SignedNote, SignatureLineHasEmDashNameAndKeyHash) {
  const auto key = test_key();
  auto note = sign_checkpoint(sample(), "example.com/audit/gw-1", key);
  ASSERT_TRUE(note.ok()) << note.error().message;
  const std::string prefix = "\n\xE2\x80\x94 example.com/audit/gw-1 ";
  EXPECT_NE(note->find(prefix), std::string::npos);
  // base64 of 4 + 64 bytes is 92 characters.
  const std::size_t at = note->find(prefix) + prefix.size();
  EXPECT_EQ(note->size() - at, 92U + 1U);
}

TEST(SignedNote, VerifyWithPublicKey_GivesTheCheckpoint) {
  const auto key = test_key();
  auto note = sign_checkpoint(sample(), "example.com/audit/gw-1", key);
  ASSERT_TRUE(note.ok());
  auto verifier = NoteVerifier::create("example.com/audit/gw-1", *key.public_key());
  ASSERT_TRUE(verifier.ok());
  auto c = verify_checkpoint(*note, *verifier, "example.com/audit/gw-1");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->size, 1234U);
}

TEST(SignedNote, VkeyRoundTrips_AndItsHashIsChecked) {
  const auto key = test_key();
  auto v = NoteVerifier::create("example.com/log", *key.public_key());
  ASSERT_TRUE(v.ok());
  const std::string vkey = v->vkey();
  EXPECT_EQ(vkey.rfind("example.com/log+", 0), 0U);
  auto back = NoteVerifier::from_vkey(vkey);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->key_hash(), v->key_hash());
  std::string tampered = vkey;
  tampered[16] = tampered[16] == '0' ? '1' : '0';
  EXPECT_FALSE(NoteVerifier::from_vkey(tampered).ok());
}

TEST(SignedNote, TamperedTextOrOtherKeyOrOtherOrigin_IsRefused) {
  const auto key = test_key();
  auto note = sign_checkpoint(sample(), "example.com/audit/gw-1", key);
  ASSERT_TRUE(note.ok());
  auto verifier = *NoteVerifier::create("example.com/audit/gw-1", *key.public_key());

  std::string changed = *note;
  changed.replace(changed.find("1234"), 4, "1235");
  auto r1 = verify_checkpoint(changed, verifier);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kVerificationFailed);

  const auto other = test_key(9);
  auto other_verifier = *NoteVerifier::create("example.com/audit/gw-1", *other.public_key());
  auto r2 = verify_checkpoint(*note, other_verifier);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kVerificationFailed);

  auto r3 = verify_checkpoint(*note, verifier, "example.com/other");
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kVerificationFailed);
}

TEST(SignedNote, MalformedNotes_AreInvalidArgument) {
  auto verifier = *NoteVerifier::create("k", *test_key().public_key());
  for (const char* bad :
       {"no blank line\n", "text\n\n", "text\n\n- k AAAA\n", "text\n\n\xE2\x80\x94 k AAAA\n",
        "te\x01xt\n\n\xE2\x80\x94 k AAAAAAAA\n"}) {
    auto r = verifier.open(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace axle::audit
