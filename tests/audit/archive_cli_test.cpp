// Archives, `verify --archive` and retention through the real axle binary on real state dirs.
// Logs with many small segments are made with the library (LogOptions::segment_bytes), entries
// dated in 2020 so that they are "old"; everything else goes through `axle audit ...`.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <random>
#include <thread>

#include "axle/audit/archive.hpp"
#include "axle/audit/event.hpp"
#include "axle/audit/log.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/clock.hpp"
#include "axle/crypto/hash.hpp"
#include "crc32c.hpp"
#include "segment.hpp"
#include "support/child_process.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

namespace fs = std::filesystem;
using test::run_command;

test::CommandResult axle(const std::vector<std::string>& args, const fs::path& state) {
  std::vector<std::string> argv{test::axle_binary(), "--state-dir", state.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {"AXLE_CONFIG="}, 120);
}

// Appends `count` events dated `timestamp` to the log of `state`, in segments of about
// `segment_bytes`; returns the number of segments.
std::size_t fill_log(const fs::path& state, int count, std::uint64_t segment_bytes,
                     const std::string& timestamp = "2020-03-01T10:00:00.000Z") {
  auto sd = StateDir::open(state);
  EXPECT_TRUE(sd) << sd.error().message;
  auto store = AuditStore::open(*sd);
  EXPECT_TRUE(store) << store.error().message;
  LogOptions options;
  options.dir = store->log_dir();
  options.segment_bytes = segment_bytes;
  auto log = AuditLog::open(options);
  EXPECT_TRUE(log) << log.error().message;
  const std::uint64_t start = (*log)->size();
  for (int i = 0; i < count; ++i) {
    AuditEvent e;
    e.op = "config.change";
    e.outcome = "success";
    e.target = "key-" + std::to_string(start + i);
    e.timestamp = timestamp;
    // An L3 value, so that the manifest lists a key id.
    if (i % 7 == 0) e.actor = "l3:v1:d2020-03-01:AAAA";
    auto msg = to_syslog(e, OpTable::builtin());
    EXPECT_TRUE(msg);
    auto text = format_rfc5424(*msg);
    EXPECT_TRUE(text);
    EXPECT_TRUE((*log)->append(*text));
  }
  return (*log)->segments().size();
}

fs::path archive_dir_of(const fs::path& state) { return state / "audit/archive"; }

std::vector<fs::path> archives(const fs::path& state) {
  std::vector<fs::path> out;
  if (!fs::exists(archive_dir_of(state))) return out;
  for (const auto& e : fs::directory_iterator(archive_dir_of(state))) {
    if (e.path().extension() == ".zst" && e.path().filename().string()[0] != '.') {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> bytes_of(const fs::path& p) {
  const std::string s = test::read_file(p);
  return {s.begin(), s.end()};
}

void write_bytes(const fs::path& p, std::span<const std::uint8_t> b) {
  test::write_file(p, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::string manifest_text(const std::string& signed_note) {
  return signed_note.substr(0, signed_note.rfind("\n\n") + 1);
}

// The first archive's parts, for tampering.
struct Unpacked {
  ArchiveManifest manifest;
  std::string signed_manifest;
  std::vector<std::uint8_t> segment;
};

Unpacked unpack(const fs::path& file) {
  const auto bytes = bytes_of(file);
  auto parts = split_archive(bytes);
  EXPECT_TRUE(parts);
  Unpacked u;
  u.signed_manifest = parts->signed_manifest;
  auto m = parse_manifest(manifest_text(parts->signed_manifest));
  EXPECT_TRUE(m) << m.error().message;
  u.manifest = *m;
  auto seg = decompress_segment(parts->compressed, m->segment_bytes);
  EXPECT_TRUE(seg);
  u.segment = *seg;
  return u;
}

// Signs a manifest with the log's own key (what only the log's owner can do).
std::string sign_with_log_key(const fs::path& state, const ArchiveManifest& m) {
  auto sd = StateDir::open(state);
  auto store = AuditStore::open(*sd);
  auto text = format_manifest(m);
  EXPECT_TRUE(text);
  auto note = store->sign(*text);
  EXPECT_TRUE(note);
  return *note;
}

class ArchiveCli : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = tmp_.path() / "state";
    segments_ = fill_log(state_, 60, 1500);
    ASSERT_GE(segments_, 5U);
    auto r = axle({"audit", "archive", "--json"}, state_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.at("archived").get<std::size_t>(), segments_ - 1) << r.out;
    files_ = archives(state_);
    ASSERT_EQ(files_.size(), segments_ - 1);
  }
  test::TempDir tmp_;
  fs::path state_;
  std::size_t segments_ = 0;
  std::vector<fs::path> files_;
};

TEST_F(ArchiveCli, EveryClosedSegmentArchived_VerifiesAgainstTheLiveLog) {
  for (const auto& f : files_) {
    auto r = axle({"audit", "verify", "--archive", f.string()}, state_);
    EXPECT_EQ(r.exit_code, 0) << f << r.err;
    EXPECT_NE(r.out.find("consistent with the live log"), std::string::npos) << r.out;
  }
  // The manifest lists the L3 key id, and the archive restores the segment byte for byte.
  const Unpacked u = unpack(files_[0]);
  EXPECT_EQ(u.manifest.key_ids, std::vector<std::string>{"d2020-03-01"});
  EXPECT_EQ(u.manifest.first, 0U);
  EXPECT_EQ(test::read_file(state_ / "audit/log" / u.manifest.segment),
            std::string(u.segment.begin(), u.segment.end()));
  // The run was recorded as an audit.archive event.
  auto last = axle({"audit", "tail", "-n", "1"}, state_);
  EXPECT_NE(last.out.find("op=\"audit.archive\""), std::string::npos) << last.out;
  // The log's own checkpoint was saved as the latest, and the log still verifies.
  EXPECT_EQ(axle({"audit", "verify"}, state_).exit_code, 0);
}

TEST_F(ArchiveCli, LogBusyInAnotherProcess_ArchiveStillVerifiesOnItsOwn) {
  auto sd = StateDir::open(state_);
  auto store = AuditStore::open(*sd);
  LogOptions options;
  options.dir = store->log_dir();
  auto held = AuditLog::open(options);  // this process holds the log's lock
  ASSERT_TRUE(held);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("open in another process"), std::string::npos) << r.out;
}

TEST_F(ArchiveCli, ZstdToolRestoresTheSegment) {
  if (run_command({"/bin/sh", "-c", "command -v zstd"}).exit_code != 0) {
    GTEST_SKIP() << "zstd command absent";
  }
  const auto out = tmp_.path() / "restored.log";
  auto r = run_command({"zstd", "-q", "-d", files_[1].string(), "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Unpacked u = unpack(files_[1]);
  EXPECT_EQ(test::read_file(out), test::read_file(state_ / "audit/log" / u.manifest.segment));
}

TEST_F(ArchiveCli, SecondRunIsIdempotent) {
  const auto before = test::read_file(files_[0]);
  auto r = axle({"audit", "archive", "--json"}, state_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("archived").get<int>(), 0);
  EXPECT_EQ(doc.at("already_archived").get<std::size_t>(), segments_ - 1);
  EXPECT_EQ(test::read_file(files_[0]), before);
  // An unrelated file under an archive's name is never overwritten.
  test::write_file(files_[0], "not an archive");
  auto clash = axle({"audit", "archive"}, state_);
  EXPECT_EQ(clash.exit_code, 1);
  EXPECT_NE(clash.err.find("is not an archive of this segment"), std::string::npos) << clash.err;
}

TEST_F(ArchiveCli, OneByteOfTheCompressedFileChanged_IsRefused) {
  auto bytes = bytes_of(files_[0]);
  bytes[bytes.size() - 20] ^= 0x01;  // inside the zstd frame (its content or checksum)
  write_bytes(files_[0], bytes);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("archive does not verify"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(ArchiveCli, HalfAnArchive_IsRefused) {
  auto bytes = bytes_of(files_[0]);
  bytes.resize(bytes.size() / 2);
  write_bytes(files_[0], bytes);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.exit_code == 3 || r.exit_code == 4) << r.exit_code << r.err;
}

TEST_F(ArchiveCli, NotAnArchive_IsMalformed) {
  test::write_file(tmp_.path() / "junk.zst", "hello");
  auto r = axle({"audit", "verify", "--archive", (tmp_.path() / "junk.zst").string()}, state_);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("not an axle audit archive"), std::string::npos) << r.err;
}

// Rewrites one entry inside the archive, recompressed under the original signed manifest.
void tamper_entry(const fs::path& file, bool fix_crc, std::size_t frame_index) {
  Unpacked u = unpack(file);
  const auto scan = detail::scan_segment(u.segment);
  ASSERT_GT(scan.frames.size(), frame_index);
  const auto& frame = scan.frames[frame_index];
  const std::size_t at = frame.offset + detail::kFrameHeader + frame.payload.size() - 3;
  u.segment[at] ^= 0x20;
  if (fix_crc) {
    const std::uint32_t crc = detail::crc32c(
        std::span(u.segment).subspan(frame.offset + detail::kFrameHeader, frame.payload.size()));
    for (unsigned i = 0; i < 4; ++i) {
      u.segment[frame.offset + 4 + i] = static_cast<std::uint8_t>(crc >> (8U * i));
    }
  }
  auto out = encode_archive(u.signed_manifest, u.segment, 3);
  ASSERT_TRUE(out);
  write_bytes(file, *out);
}

TEST_F(ArchiveCli, OneEntryInsideChanged_IsRefusedByItsCrc) {
  tamper_entry(files_[0], /*fix_crc=*/false, 1);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 1 fails its CRC"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, OneEntryInsideChangedWithItsCrc_IsRefusedByTheWatermark) {
  tamper_entry(files_[0], /*fix_crc=*/true, 1);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 2 records a different hash for entry 1"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, LastEntryChangedWithItsCrc_IsRefusedByTheCheckpointRoot) {
  const Unpacked u = unpack(files_[0]);
  tamper_entry(files_[0], /*fix_crc=*/true, u.manifest.last - u.manifest.first);
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("are not the leaves of the checkpoint's tree"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, ManifestChangedUnderItsSignature_IsRefused) {
  Unpacked u = unpack(files_[0]);
  std::string note = u.signed_manifest;
  const auto at = note.find("newest 2020");
  ASSERT_NE(at, std::string::npos);
  note[at + 7] = '3';  // 2020 -> 3020: the signature no longer matches
  write_bytes(files_[0], *encode_archive(note, u.segment, 3));
  auto r = axle({"audit", "verify", "--archive", files_[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("signature is wrong"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, ArchiveOfAnotherLog_IsRefused) {
  const auto other = tmp_.path() / "other";
  fill_log(other, 30, 1500);
  ASSERT_EQ(axle({"audit", "archive"}, other).exit_code, 0);
  const auto theirs = archives(other);
  ASSERT_FALSE(theirs.empty());
  auto r = axle({"audit", "verify", "--archive", theirs[0].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("signed by another key"), std::string::npos) << r.err;
  // With the other log's vkey it verifies, independently of any live log.
  auto key = axle({"audit", "key"}, other);
  const std::string vkey = key.out.substr(0, key.out.find('\n'));
  auto indep = axle({"audit", "verify", "--archive", theirs[0].string(), "--vkey", vkey}, state_);
  EXPECT_EQ(indep.exit_code, 0) << indep.err;
  EXPECT_NE(indep.out.find("was not checked"), std::string::npos) << indep.out;
}

TEST_F(ArchiveCli, ManifestWhoseProofDoesNotMatchTheCheckpoint_IsRefused) {
  Unpacked u = unpack(files_[1]);
  ASSERT_FALSE(u.manifest.right.empty());
  u.manifest.right[0][0] ^= 0x01;  // signed properly, but the range proof is wrong
  write_bytes(files_[1], *encode_archive(sign_with_log_key(state_, u.manifest), u.segment, 3));
  auto r = axle({"audit", "verify", "--archive", files_[1].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("are not the leaves of the checkpoint's tree"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, ManifestWithAnotherEntryRange_IsRefused) {
  Unpacked u = unpack(files_[1]);
  u.manifest.first += 1;  // claims the entries sit one place later
  u.manifest.segment = detail::segment_name(u.manifest.first);
  write_bytes(files_[1], *encode_archive(sign_with_log_key(state_, u.manifest), u.segment, 3));
  auto r = axle({"audit", "verify", "--archive", files_[1].string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("carries sequence number"), std::string::npos) << r.err;
}

TEST_F(ArchiveCli, CheckpointNotConsistentWithTheLiveLog_IsRefused) {
  // Another log with the same key (a copy of the state dir) that went another way: its archive's
  // checkpoint verifies, but is not a prefix of this log.
  const auto fork = tmp_.path() / "fork";
  fs::copy(state_, fork, fs::copy_options::recursive);
  fs::remove_all(fork / "audit/archive");
  fill_log(fork, 1, 1500, "2020-03-02T00:00:00.000Z");  // fork: entry 60 differs
  fill_log(state_, 1, 1500, "2020-03-03T00:00:00.000Z");
  fill_log(fork, 12, 1500);
  ASSERT_EQ(axle({"audit", "archive"}, fork).exit_code, 0);
  const auto theirs = archives(fork);
  ASSERT_GT(theirs.size(), files_.size());
  auto r = axle({"audit", "verify", "--archive", theirs.back().string()}, state_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.err.find("not consistent with the live log") != std::string::npos ||
              r.err.find("but the live log has") != std::string::npos)
      << r.err;
}

TEST(ArchiveCliFresh, OlderThanZeroOnAFreshLog_KeepsTheActiveSegmentAndSaysSo) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  ASSERT_EQ(
      axle({"audit", "append", "--op", "config.change", "--outcome", "success"}, state).exit_code,
      0);
  auto r = axle({"audit", "archive", "--older-than", "0"}, state);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("active segment: never archived"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing to archive: the log has only its active segment (1 entries)"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(archives(state).empty());
  auto help = axle({"audit", "archive", "--help"}, state);
  EXPECT_NE(help.out.find("Example:"), std::string::npos);
  EXPECT_NE(help.out.find("ACTIVE segment"), std::string::npos);
}

TEST(ArchiveCliFresh, RecentSegmentsAreKept_ConfigKeyGivesTheDefaultAge) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  const std::string now = format_utc_ms(utc_ms());
  fill_log(state, 30, 1500, now);
  auto r = axle({"audit", "archive", "--json"}, state);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("archived").get<int>(), 0);
  EXPECT_GT(nlohmann::json::parse(r.out).at("too_recent").get<int>(), 0);
  test::write_file(tmp.path() / "axle.toml", "[audit]\narchive_after_days = 0\n");
  auto with_config =
      run_command({test::axle_binary(), "--state-dir", state.string(), "--config",
                   (tmp.path() / "axle.toml").string(), "audit", "archive", "--json"},
                  {}, 120);
  ASSERT_EQ(with_config.exit_code, 0) << with_config.err;
  EXPECT_GT(nlohmann::json::parse(with_config.out).at("archived").get<int>(), 0);
}

// ---- retention ------------------------------------------------------------------------------

TEST(RetentionCli, NeedsConfirm_AndRefusesAnUnarchivedSegment) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  fill_log(state, 40, 1500);
  auto no_confirm = axle({"audit", "retention"}, state);
  EXPECT_EQ(no_confirm.exit_code, 2);
  EXPECT_NE(no_confirm.err.find("--confirm"), std::string::npos) << no_confirm.err;
  const auto segments_before =
      std::distance(fs::directory_iterator(state / "audit/log"), fs::directory_iterator());
  auto r = axle({"audit", "retention", "--confirm"}, state);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("not-archived"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(state / "audit/log/seg-00000000000000000000.log"));
  EXPECT_EQ(std::distance(fs::directory_iterator(state / "audit/log"), fs::directory_iterator()),
            segments_before);
}

TEST(RetentionCli, RefusesASegmentWhoseArchiveFails) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  fill_log(state, 40, 1500);
  ASSERT_EQ(axle({"audit", "archive"}, state).exit_code, 0);
  const auto files = archives(state);
  auto bytes = bytes_of(files[0]);
  bytes[bytes.size() - 10] ^= 0x40;
  write_bytes(files[0], bytes);
  auto r = axle({"audit", "retention", "--confirm", "--keep-days", "0"}, state);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("archive-fails"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(state / "audit/log/seg-00000000000000000000.log"));
}

TEST(RetentionCli, AfterRetentionTheLogOpensAppendsProvesAndVerifies) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  const std::size_t segments = fill_log(state, 50, 1500);
  ASSERT_EQ(axle({"audit", "archive"}, state).exit_code, 0);
  // Inclusion proofs of old entries, taken before retention, at the current size.
  auto before = axle({"audit", "prove", "3", "--json"}, state);
  ASSERT_EQ(before.exit_code, 0);
  auto r =
      axle({"audit", "retention", "--confirm", "--keep-days", "0", "--actor", "edid:dpo", "--json"},
           state);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("deleted").get<std::size_t>(), segments - 1);
  // The active segment stays.
  std::size_t left = 0;
  for (const auto& e : fs::directory_iterator(state / "audit/log")) {
    left += e.path().filename().string().starts_with("seg-") ? 1 : 0;
  }
  EXPECT_EQ(left, 1U);
  EXPECT_EQ(doc.at("segments").back().at("outcome"), "active");
  // Each deletion is an audit.retention_delete event in the log.
  auto tail = axle({"audit", "tail", "-n", std::to_string(segments - 1)}, state);
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(static_cast<std::size_t>(
                std::count_if(tail.out.begin(), tail.out.end(), [](char c) { return c == '\n'; })),
            segments - 1);
  EXPECT_NE(tail.out.find("audit.retention_delete"), std::string::npos);
  EXPECT_NE(tail.out.find("target=\"entries:0-"), std::string::npos) << tail.out;
  // It verifies, and says how many entries are archived.
  auto verify = axle({"audit", "verify", "--json"}, state);
  ASSERT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  const auto v = nlohmann::json::parse(verify.out);
  EXPECT_GT(v.at("archived").get<std::uint64_t>(), 0U);
  EXPECT_EQ(v.at("archives_checked").get<std::size_t>(), segments - 1);
  auto text = axle({"audit", "verify"}, state);
  EXPECT_NE(text.out.find("archived and removed by retention"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("archive(s) verify against the live log"), std::string::npos) << text.out;
  // Appends, proofs of old (archived) entries, and the old proof still verifies.
  ASSERT_EQ(
      axle({"audit", "append", "--op", "config.change", "--outcome", "success"}, state).exit_code,
      0);
  auto prove = axle({"audit", "prove", "3", "--json"}, state);
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  test::write_file(tmp.path() / "p.json", prove.out);
  test::write_file(tmp.path() / "old.json", before.out);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "p.json").string()}, state).exit_code, 0);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "old.json").string()}, state).exit_code,
            0);
  auto cons = axle({"audit", "consistency", "5", "50", "--json"}, state);
  ASSERT_EQ(cons.exit_code, 0) << cons.err;
  test::write_file(tmp.path() / "c.json", cons.out);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "c.json").string()}, state).exit_code, 0);
  ASSERT_EQ(axle({"audit", "checkpoint"}, state).exit_code, 0);
  EXPECT_EQ(axle({"audit", "verify"}, state).exit_code, 0);
  // The archives still verify against the live log, which has moved on.
  for (const auto& f : archives(state)) {
    EXPECT_EQ(axle({"audit", "verify", "--archive", f.string()}, state).exit_code, 0) << f;
  }
  // tail shows what is left; reading an archived entry says where it went.
  auto all = axle({"audit", "tail", "-n", "1000"}, state);
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out.find("key-3\""), std::string::npos) << all.out;
  const auto key = tmp.path() / "master.hex";
  test::write_file(key, std::string(64, 'a') + "\n");
  auto reveal_old = axle(
      {"audit", "reveal", "3", "--master-key-file", key.string(), "--actor", "edid:dpo"}, state);
  EXPECT_EQ(reveal_old.exit_code, 1);
  EXPECT_NE(reveal_old.err.find("archived"), std::string::npos) << reveal_old.err;
}

TEST(RetentionCli, ASegmentRemovedWithoutRetention_IsStillADeletion) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  fill_log(state, 40, 1500);
  ASSERT_EQ(axle({"audit", "checkpoint"}, state).exit_code, 0);
  fs::remove(state / "audit/log/seg-00000000000000000000.log");
  auto r = axle({"audit", "verify"}, state);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 0 deleted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no audit.retention_delete event"), std::string::npos) << r.err;
}

TEST(RetentionCli, ARemovalRecordedByAForgedEventWithoutArchive_IsRefused) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  fill_log(state, 40, 1500);
  std::vector<fs::path> segs;
  for (const auto& e : fs::directory_iterator(state / "audit/log")) {
    if (e.path().filename().string().starts_with("seg-")) segs.push_back(e.path());
  }
  std::sort(segs.begin(), segs.end());
  ASSERT_GE(segs.size(), 2U);
  const std::uint64_t next = std::stoull(segs[1].filename().string().substr(4, 20));
  fs::remove(segs[0]);
  ASSERT_EQ(axle({"audit", "append", "--op", "audit.retention_delete", "--outcome", "success",
                  "--target", "entries:0-" + std::to_string(next - 1)},
                 state)
                .exit_code,
            0);
  auto r = axle({"audit", "verify"}, state);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("were removed by retention but their archive"), std::string::npos) << r.err;
  // Skipping the archives is explicit, and the report still says what it did not check.
  auto skipped = axle({"audit", "verify", "--skip-archives"}, state);
  EXPECT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.out.find("not checked (--skip-archives)"), std::string::npos) << skipped.out;
}

// ---- crash during archive ---------------------------------------------------------------------

TEST(ArchiveCrash, KillDuringArchive_LeavesNoPartialArchiveThatVerifies) {
  test::TempDir tmp;
  const auto state = tmp.path() / "state";
  const std::size_t segments = fill_log(state, 1500, 1500);
  ASSERT_GT(segments, 100U);
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 6; ++round) {
    const std::size_t before = archives(state).size();
    const std::size_t kill_after = 1 + rng() % 20;  // archives this round makes before the kill
    {
      // The progress lines (stderr, one per segment) tell where the run is: the kill lands
      // while it is writing the next archive, 0-2 ms after the kill_after-th one.
      test::ChildProcess child({"/bin/sh", "-c",
                                "AXLE_CONFIG= exec '" + test::axle_binary() + "' --state-dir '" +
                                    state.string() + "' audit archive --zstd-level 19 2>&1"});
      std::size_t made = 0;
      const std::int64_t deadline = monotonic_ns() + 60'000'000'000;
      while (made < kill_after) {
        const std::string line = child.read_line_until(deadline);
        ASSERT_FALSE(line.empty()) << "round " << round << ": the run ended after " << made
                                   << " archives, before the kill";
        made += line.ends_with(": archived") ? 1 : 0;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      child.kill9();
      EXPECT_NE(child.wait_exit_until(monotonic_ns() + 30'000'000'000), -1);
    }
    // Every file under an archive's name verifies: archives appear only complete (a temporary
    // file, synced, then renamed). Temporaries left by the kill are removed by the next run.
    const auto present = archives(state);
    EXPECT_GE(present.size(), before + kill_after);
    EXPECT_LT(present.size(), segments - 1);
    auto sd = StateDir::open(state);
    auto store = AuditStore::open(*sd);
    ASSERT_TRUE(store);
    for (const auto& f : present) {
      auto r = verify_archive(bytes_of(f), store->verifier());
      EXPECT_TRUE(r) << "round " << round << " " << f << ": " << r.error().message;
    }
  }
  auto done = axle({"audit", "archive", "--json"}, state);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(archives(state).size(), segments - 1);
  for (const auto& e : fs::directory_iterator(archive_dir_of(state))) {
    EXPECT_NE(e.path().filename().string()[0], '.') << "stale temporary " << e.path();
  }
  EXPECT_EQ(axle({"audit", "verify"}, state).exit_code, 0);
}

}  // namespace
}  // namespace axle::audit
