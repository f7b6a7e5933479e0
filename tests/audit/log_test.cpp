#include "axle/audit/log.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "axle/audit/log_verify.hpp"
#include "axle/audit/proof_verify.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

std::unique_ptr<AuditLog> open_log(const std::filesystem::path& dir, LogOptions opts = {}) {
  opts.dir = dir;
  auto log = AuditLog::open(opts);
  EXPECT_TRUE(log.ok()) << (log.ok() ? "" : log.error().message);
  return log.ok() ? std::move(*log) : nullptr;
}

ByteString bytes(const Hash& h) { return {h.begin(), h.end()}; }

TEST(AuditLog, AppendsGetSequenceNumbers_AndSurviveReopen) {
  test::TempDir tmp;
  {
    auto log = open_log(tmp.path() / "log");
    ASSERT_TRUE(log);
    for (int i = 0; i < 10; ++i) {
      auto seq = log->append("message " + std::to_string(i));
      ASSERT_TRUE(seq.ok()) << seq.error().message;
      EXPECT_EQ(*seq, static_cast<std::uint64_t>(i));
    }
    EXPECT_EQ(log->size(), 10U);
  }
  auto log = open_log(tmp.path() / "log");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 10U);
  EXPECT_EQ(log->recovery().truncated_bytes, 0U);
  auto entries = log->read(3, 4);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 4U);
  EXPECT_EQ((*entries)[0].message, "message 3");
  EXPECT_EQ((*entries)[3].seq, 6U);
  EXPECT_EQ(*log->append("after reopen"), 10U);
}

TEST(AuditLog, SubmitPipelinesEntries_InOrder_AndWaitDurableAcknowledgesThem) {
  test::TempDir tmp;
  LogOptions opts;
  opts.queue_capacity = 64;  // back-pressure is exercised: 1000 entries through 64 slots
  opts.max_batch = 16;
  {
    auto log = open_log(tmp.path() / "log", opts);
    ASSERT_TRUE(log);
    ASSERT_EQ(*log->append("first, synchronous"), 0U);
    std::uint64_t last = 0;
    for (std::uint64_t i = 1; i <= 1000; ++i) {
      // Short messages fit a std::string's inline buffer, which moves with the string.
      auto seq = log->submit(i % 2 == 0 ? "s" + std::to_string(i)
                                        : std::string(300, 'x') + std::to_string(i));
      ASSERT_TRUE(seq.ok()) << seq.error().message;
      ASSERT_EQ(*seq, i);
      last = *seq;
    }
    ASSERT_TRUE(log->wait_durable(last, std::chrono::seconds(30)).ok());
    EXPECT_EQ(log->size(), 1001U);
    auto never = log->wait_durable(5000, std::chrono::milliseconds(1));
    ASSERT_FALSE(never.ok());
    EXPECT_EQ(never.error().code, ErrorCode::kInvalidArgument);
    auto too_big = log->submit(std::string(LogOptions{}.max_message_bytes + 1, 'y'));
    ASSERT_FALSE(too_big.ok());
    EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidArgument);
  }
  auto log = open_log(tmp.path() / "log", opts);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1001U);
  auto entries = log->read(0, 1001);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].message, "first, synchronous");
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    const std::string want =
        i % 2 == 0 ? "s" + std::to_string(i) : std::string(300, 'x') + std::to_string(i);
    ASSERT_EQ((*entries)[i].message, want) << i;
  }
  auto report = verify_log(tmp.path() / "log");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

TEST(AuditLog, WatermarkIsThePreviousEntrysLeafHash) {
  test::TempDir tmp;
  auto log = open_log(tmp.path() / "log");
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->append("a").ok());
  ASSERT_TRUE(log->append("b").ok());
  auto entries = log->read(0, 2);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].prev, Hash{});
  EXPECT_EQ((*entries)[1].prev, *log->leaf_hash_at(0));
}

TEST(AuditLog, ProofsFromTheStoreVerify_AcrossSegmentsAndReopen) {
  test::TempDir tmp;
  LogOptions opts;
  opts.segment_bytes = 600;  // many small segments
  {
    auto log = open_log(tmp.path() / "log", opts);
    ASSERT_TRUE(log);
    for (int i = 0; i < 45; ++i) ASSERT_TRUE(log->append("entry " + std::to_string(i)).ok());
  }
  auto log = open_log(tmp.path() / "log", opts);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 45U);
  std::size_t segments = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path() / "log")) {
    segments += e.path().filename().string().starts_with("seg-") ? 1 : 0;
  }
  EXPECT_GT(segments, 3U);
  for (std::uint64_t n : {1U, 7U, 32U, 45U}) {
    const ByteString root = bytes(*log->root(n));
    for (std::uint64_t i = 0; i < n; ++i) {
      auto proof = log->inclusion_proof(i, n);
      ASSERT_TRUE(proof.ok());
      std::vector<ByteString> p;
      for (const Hash& h : *proof) p.push_back(bytes(h));
      EXPECT_TRUE(verify_inclusion(i, n, bytes(*log->leaf_hash_at(i)), p, root).ok());
    }
  }
  auto cons = log->consistency_proof(7, 45);
  ASSERT_TRUE(cons.ok());
  std::vector<ByteString> p;
  for (const Hash& h : *cons) p.push_back(bytes(h));
  EXPECT_TRUE(verify_consistency(7, 45, bytes(*log->root(7)), bytes(*log->root(45)), p).ok());
  EXPECT_FALSE(log->root(46).ok());
}

TEST(AuditLog, ConcurrentAppenders_AreAllDurableWithDistinctSequenceNumbers) {
  test::TempDir tmp;
  auto log = open_log(tmp.path() / "log");
  ASSERT_TRUE(log);
  constexpr int kThreads = 8;
  constexpr int kEach = 200;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto seq = log->append("t" + std::to_string(t) + "-" + std::to_string(i));
        if (seq) seqs[t].push_back(*seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::uint64_t> all;
  for (const auto& s : seqs) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
  log.reset();
  auto report = verify_log(tmp.path() / "log");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->findings[0].detail;
  EXPECT_EQ(report->entries, all.size());
}

TEST(AuditLog, TornTailIsCutOnOpen_AndEarlierEntriesRemain) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  {
    auto log = open_log(dir);
    ASSERT_TRUE(log);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append("m" + std::to_string(i)).ok());
  }
  // Half a frame at the end, as a crash in the middle of a write leaves it.
  const auto seg = dir / "seg-00000000000000000000.log";
  std::string content = test::read_file(seg);
  const std::size_t good = content.size();
  content += std::string("\x30\x00\x00\x00\x12\x34", 6);
  test::write_file(seg, content);
  auto log = open_log(dir);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 5U);
  EXPECT_EQ(log->recovery().truncated_bytes, 6U);
  EXPECT_EQ(std::filesystem::file_size(seg), good);
  EXPECT_EQ(*log->append("next"), 5U);
}

TEST(AuditLog, SecondOpenInAnotherProcess_IsRefusedWhileOpen) {
  test::TempDir tmp;
  auto log = open_log(tmp.path() / "log");
  ASSERT_TRUE(log);
  // flock is per open file description: a second open in this process conflicts the same way.
  LogOptions opts;
  opts.dir = tmp.path() / "log";
  auto second = AuditLog::open(opts);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
}

TEST(AuditLog, OversizedMessage_IsRefused) {
  test::TempDir tmp;
  LogOptions opts;
  opts.max_message_bytes = 16;
  auto log = open_log(tmp.path() / "log", opts);
  ASSERT_TRUE(log);
  EXPECT_FALSE(log->append(std::string(17, 'x')).ok());
  EXPECT_EQ(log->size(), 0U);
}

}  // namespace
}  // namespace axle::audit
