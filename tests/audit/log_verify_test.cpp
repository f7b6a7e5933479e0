// Tampering with the files of a log on disk, the way an attacker with file access would, and
// checking that verify_log names the kind and the entry.
#include "axle/audit/log_verify.hpp"

#include <gtest/gtest.h>

#include "axle/audit/log.hpp"
#include "crc32c.hpp"
#include "segment.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

constexpr std::uint64_t kEntries = 10;

class LogTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() / "log";
    LogOptions opts;
    opts.dir = dir_;
    auto log = AuditLog::open(opts);
    ASSERT_TRUE(log.ok()) << log.error().message;
    for (std::uint64_t i = 0; i < kEntries; ++i) {
      ASSERT_TRUE((*log)->append("<110>1 - - axle - - - entry " + std::to_string(i)).ok());
    }
    Checkpoint c{"test/audit", kEntries, *(*log)->root(kEntries), {}};
    std::vector<std::uint8_t> seed(32, 3);
    auto key = crypto::PrivateKey::ed25519_from_seed(seed);
    ASSERT_TRUE(key.ok());
    note_ = *sign_checkpoint(c, "test/audit", *key);
    verifier_ =
        std::make_unique<NoteVerifier>(*NoteVerifier::create("test/audit", *key->public_key()));
    segment_ = dir_ / detail::segment_name(0);
    const std::string content = test::read_file(segment_);
    const std::vector<std::uint8_t> bytes(content.begin(), content.end());
    for (const auto& f : detail::scan_segment(bytes).frames) {
      frames_.emplace_back(
          bytes.begin() + static_cast<std::ptrdiff_t>(f.offset),
          bytes.begin() + static_cast<std::ptrdiff_t>(f.offset + 8 + f.payload.size()));
    }
    ASSERT_EQ(frames_.size(), kEntries);
  }

  void write_frames() {
    std::string out(detail::kSegmentMagic);
    for (const auto& f : frames_) out.append(f.begin(), f.end());
    test::write_file(segment_, out);
  }

  // Re-frames entry i with a valid CRC after changing its message.
  void rewrite_with_valid_crc(std::size_t i) {
    std::vector<std::uint8_t> payload(frames_[i].begin() + 8, frames_[i].end());
    payload.back() ^= 0x01;
    frames_[i].clear();
    detail::append_frame(frames_[i], payload);
  }

  VerifyReport verify(bool with_checkpoint = true) {
    TrustedCheckpoint trusted{note_, verifier_.get()};
    auto report = verify_log(dir_, with_checkpoint ? &trusted : nullptr);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : VerifyReport{};
  }

  static void expect_first(const VerifyReport& r, const std::string& kind, std::uint64_t seq) {
    ASSERT_FALSE(r.ok()) << "tampering went unnoticed";
    EXPECT_EQ(r.findings[0].kind, kind) << r.findings[0].detail;
    EXPECT_EQ(r.findings[0].seq, seq) << r.findings[0].detail;
  }

  test::TempDir tmp_;
  std::filesystem::path dir_;
  std::filesystem::path segment_;
  std::string note_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::vector<std::vector<std::uint8_t>> frames_;
};

TEST_F(LogTamper, UntouchedLog_VerifiesAgainstItsCheckpoint) {
  const auto r = verify();
  EXPECT_TRUE(r.ok()) << r.findings[0].detail;
  EXPECT_TRUE(r.checkpoint_checked);
  EXPECT_EQ(r.entries, kEntries);
  write_frames();  // re-serialising the same frames changes nothing
  EXPECT_TRUE(verify().ok());
}

TEST_F(LogTamper, ModifiedByte_IsNamedByCrc) {
  frames_[4].back() ^= 0x20;
  write_frames();
  expect_first(verify(false), "modified", 4);
}

TEST_F(LogTamper, ModifiedEntryWithRecomputedCrc_IsNamedByHashes) {
  rewrite_with_valid_crc(4);
  write_frames();
  expect_first(verify(false), "modified", 4);
  expect_first(verify(true), "modified", 4);
}

TEST_F(LogTamper, ModifiedLastEntryWithRecomputedCrc_IsFound) {
  rewrite_with_valid_crc(kEntries - 1);
  write_frames();
  expect_first(verify(false), "modified", kEntries - 1);
}

TEST_F(LogTamper, DeletedEntry_IsNamed) {
  frames_.erase(frames_.begin() + 4);
  write_frames();
  expect_first(verify(), "deleted", 4);
}

TEST_F(LogTamper, ReorderedEntries_AreNamed) {
  std::swap(frames_[4], frames_[5]);
  write_frames();
  expect_first(verify(), "reordered", 4);
}

TEST_F(LogTamper, InsertedEntry_IsNamed) {
  frames_.insert(frames_.begin() + 4, frames_[3]);
  write_frames();
  expect_first(verify(), "inserted", 4);
}

TEST_F(LogTamper, TruncatedEntries_AreFoundFromTheHashStore) {
  frames_.resize(7);
  write_frames();
  expect_first(verify(false), "truncated", 7);
}

TEST_F(LogTamper, TruncatedEntriesAndHashStore_AreFoundFromTheCheckpoint) {
  frames_.resize(7);
  write_frames();
  std::filesystem::resize_file(dir_ / "tree-00.hashes", 7 * 32);
  EXPECT_TRUE(verify(false).ok());  // without a checkpoint a consistent cut is invisible
  expect_first(verify(true), "truncated", 7);
}

TEST_F(LogTamper, ForgedCheckpointSignature_IsAnError) {
  std::string forged = note_;
  forged.replace(forged.find("\n10\n"), 4, "\n11\n");
  TrustedCheckpoint trusted{forged, verifier_.get()};
  auto r = verify_log(dir_, &trusted);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
}

TEST(Crc32c, KnownAnswer) {
  // RFC 3720 §B.4: 32 bytes of zeros give 0x8A9136AA.
  const std::vector<std::uint8_t> zeros(32, 0);
  EXPECT_EQ(detail::crc32c(zeros), 0x8A9136AAU);
  EXPECT_EQ(detail::crc32c_portable(zeros), 0x8A9136AAU);
  // RFC 3720 §B.4: 32 bytes of 0xFF give 0x62A8AB43; "123456789" is the usual check value.
  const std::vector<std::uint8_t> ones(32, 0xFF);
  EXPECT_EQ(detail::crc32c(ones), 0x62A8AB43U);
  const std::string check = "123456789";
  const auto* c = reinterpret_cast<const std::uint8_t*>(check.data());
  EXPECT_EQ(detail::crc32c({c, check.size()}), 0xE3069283U);
}

TEST(Crc32c, HardwareAndTableAgreeAtEveryLengthAndAlignment) {
  std::vector<std::uint8_t> data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t n = 0; offset + n <= data.size(); n += 13) {
      const std::span<const std::uint8_t> part(data.data() + offset, n);
      ASSERT_EQ(detail::crc32c(part), detail::crc32c_portable(part)) << offset << "+" << n;
      // Chained: the CRC of a whole equals the CRC continued over its second half.
      const auto half = n / 2;
      ASSERT_EQ(detail::crc32c(part.subspan(half), detail::crc32c(part.first(half))),
                detail::crc32c(part));
    }
  }
}

}  // namespace
}  // namespace axle::audit
