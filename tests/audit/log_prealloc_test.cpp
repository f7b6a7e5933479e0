// Segment preallocation: zeros after the last frame are a clean end, the next segment is written
// ahead in the background and switched to off the hot path, closed segments lose their unused
// zeros, and recovery keeps appending over preallocated space.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "axle/audit/log.hpp"
#include "axle/audit/log_verify.hpp"
#include "log_impl.hpp"
#include "segment.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSegmentBytes = 16U << 10U;
// LogOptions::segment_bytes + min(segment_bytes / 8, 8 MiB) + 64 KiB (segment_prepare.cpp).
constexpr std::uint64_t kPreparedBytes = kSegmentBytes + kSegmentBytes / 8 + (64U << 10U);

std::vector<std::uint8_t> framed(const std::vector<std::string>& messages) {
  std::vector<std::uint8_t> out(detail::kSegmentMagic.begin(), detail::kSegmentMagic.end());
  Hash prev{};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    detail::append_frame_in_place(out, i, prev, messages[i]);
  }
  return out;
}

TEST(SegmentScan, ZerosAfterTheLastFrame_AreACleanEnd) {
  auto bytes = framed({"one", "two"});
  const std::size_t end = bytes.size();
  bytes.resize(end + 5000, 0);
  const auto scan = detail::scan_segment(bytes);
  EXPECT_EQ(scan.frames.size(), 2U);
  EXPECT_EQ(scan.valid_end, end);
  EXPECT_TRUE(scan.stop_reason.empty()) << scan.stop_reason;
  EXPECT_EQ(scan.zero_tail, 5000U);
}

TEST(SegmentScan, GarbageBeforeZeros_IsATornTail) {
  auto bytes = framed({"one", "two"});
  const std::size_t end = bytes.size();
  bytes.resize(end + 5000, 0);
  bytes[end + 100] = 0x42;  // part of a frame the crash tore
  const auto scan = detail::scan_segment(bytes);
  EXPECT_EQ(scan.frames.size(), 2U);
  EXPECT_EQ(scan.valid_end, end);
  EXPECT_FALSE(scan.stop_reason.empty());
  EXPECT_EQ(scan.zero_tail, 0U);
}

std::string message(std::uint64_t i) {
  return "<110>1 - - prealloc - - - entry " + std::to_string(i) + std::string(60, 'p');
}

// Appends `count` entries through submit() and waits until all are durable.
void append_durably(AuditLog& log, std::uint64_t first, std::uint64_t count) {
  std::uint64_t last = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto seq = log.submit(message(first + i));
    ASSERT_TRUE(seq.ok()) << seq.error().message;
    last = *seq;
  }
  ASSERT_TRUE(log.wait_durable(last, std::chrono::seconds(30)).ok());
}

bool wait_for_file_size(const fs::path& path, std::uint64_t size) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (fs::file_size(path, ec) == size && !ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(AuditLogPrealloc, NextSegmentIsWrittenAhead_SwitchedTo_AndClosedOnesAreTrimmed) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  LogOptions opts;
  opts.dir = dir;
  opts.segment_bytes = kSegmentBytes;
  std::uint64_t total = 0;
  {
    auto opened = AuditLog::open(opts);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    AuditLog& log = **opened;
    // A quarter of a segment asks for the next file; wait until it is complete, so that the
    // switch below takes it (and does not fall back to creating a segment itself).
    append_durably(log, total, 60);  // ~145 bytes per frame: > 4 KiB
    total += 60;
    const fs::path prepared = dir / detail::kPreparedName;
    ASSERT_TRUE(wait_for_file_size(prepared, kPreparedBytes)) << "no preallocated segment";
    // ~145 bytes per frame: past 16 KiB after about 110 entries; the first group after that
    // starts the next segment.
    for (int i = 0; i < 100 && log.segments().size() < 2; ++i) {
      append_durably(log, total, 10);
      total += 10;
    }
    const auto segments = log.segments();
    ASSERT_EQ(segments.size(), 2U);
    EXPECT_EQ(segments[1].first, segments[0].end);
    // The preallocated file got the segment's name and keeps its size: appends overwrite zeros.
    EXPECT_EQ(fs::file_size(segments[1].path), kPreparedBytes);
    // More switches, some taking preallocated files, some not: the log stays consistent.
    for (int round = 0; round < 6; ++round) {
      append_durably(log, total, 150);
      total += 150;
    }
    EXPECT_EQ(log.size(), total);
  }
  // Closing waits for the background trims: closed segments end at their last frame.
  auto list = detail::list_segments(dir);
  ASSERT_TRUE(list.ok());
  ASSERT_GT(list->size(), 3U);
  for (std::size_t i = 0; i + 1 < list->size(); ++i) {
    const std::string bytes = test::read_file((*list)[i].path);
    const auto scan =
        detail::scan_segment({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    EXPECT_EQ(scan.zero_tail, 0U) << (*list)[i].path;
    EXPECT_EQ(scan.valid_end, bytes.size()) << (*list)[i].path;
  }
  auto report = verify_log(dir);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->findings[0].detail;
  EXPECT_EQ(report->entries, total);

  // Reopen: the active segment's zeros are kept (nothing truncated) and appended over.
  auto reopened = AuditLog::open(opts);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->size(), total);
  EXPECT_EQ((*reopened)->recovery().truncated_bytes, 0U);
  append_durably(**reopened, total, 10);
  total += 10;
  auto entries = (*reopened)->read(0, total);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), total);
  for (std::uint64_t i = 0; i < total; ++i) {
    ASSERT_EQ((*entries)[i].seq, i);
    ASSERT_EQ((*entries)[i].message, message(i));
  }
}

TEST(AuditLogPrealloc, LeftoverPreparedFile_IsRemovedOnOpen) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  LogOptions opts;
  opts.dir = dir;
  {
    auto log = AuditLog::open(opts);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->append("kept").ok());
  }
  // A crash before complete_switch renamed it: it can hold only unacknowledged entries.
  auto bytes = framed({"never acknowledged"});
  test::write_file(dir / detail::kPreparedName, std::string(bytes.begin(), bytes.end()));
  auto log = AuditLog::open(opts);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_FALSE(fs::exists(dir / detail::kPreparedName));
  EXPECT_EQ((*log)->size(), 1U);
  EXPECT_EQ(*(*log)->append("next"), 1U);
}

TEST(AuditLogPrealloc, TornFrameInsidePreallocatedZeros_IsCut) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  LogOptions opts;
  opts.dir = dir;
  {
    auto log = AuditLog::open(opts);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->append("m" + std::to_string(i)).ok());
  }
  const auto seg = dir / detail::segment_name(0);
  std::string content = test::read_file(seg);
  const std::size_t good = content.size();
  // Preallocated zeros with half a frame written into them, as a crash leaves it.
  content.resize(good + 8192, '\0');
  content.replace(good, 6, std::string("\x30\x00\x00\x00\x12\x34", 6));
  test::write_file(seg, content);
  auto log = AuditLog::open(opts);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ((*log)->size(), 3U);
  EXPECT_EQ((*log)->recovery().truncated_bytes, 8192U);
  EXPECT_EQ(fs::file_size(seg), good);
  EXPECT_EQ(*(*log)->append("next"), 3U);
}

TEST(AuditLogPrealloc, UntrimmedClosedSegment_ReadsAndVerifies_AndIsTrimmedByTheNextOpen) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  LogOptions opts;
  opts.dir = dir;
  opts.segment_bytes = 1024;
  opts.preallocate = false;
  {
    auto log = AuditLog::open(opts);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 40; ++i) ASSERT_TRUE((*log)->append(message(i)).ok());
  }
  auto list = detail::list_segments(dir);
  ASSERT_TRUE(list.ok());
  ASSERT_GT(list->size(), 2U);
  // A crash between a switch and the trim of the closed segment leaves its zeros.
  const auto closed = (*list)[list->size() - 2].path;
  std::string content = test::read_file(closed);
  const std::size_t frames_end = content.size();
  content.resize(frames_end + 4096, '\0');
  test::write_file(closed, content);
  auto report = verify_log(dir);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->findings[0].detail;
  auto log = AuditLog::open(opts);
  ASSERT_TRUE(log.ok()) << log.error().message;
  auto entries = (*log)->read(0, 40);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  EXPECT_EQ(entries->size(), 40U);
  // The open queued it for the background trim, done by the time the log is closed.
  log->reset();
  EXPECT_EQ(fs::file_size(closed), frames_end);
}

}  // namespace
}  // namespace axle::audit
