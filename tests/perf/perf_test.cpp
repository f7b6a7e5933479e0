// The measurement code of `axle bench`: percentiles, histogram buckets, worker arguments, the
// samples file, chart.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "axle/perf/latency_stats.hpp"
#include "axle/perf/samples_file.hpp"
#include "axle/perf/svg_chart.hpp"
#include "axle/perf/worker.hpp"
#include "support/test_support.hpp"

namespace axle::perf {
namespace {

TEST(LatencyStats, NearestRankPercentilesOfOneToThousand) {
  std::vector<std::int64_t> samples(1000);
  std::iota(samples.rbegin(), samples.rend(), 1);  // 1000 .. 1, unsorted on purpose
  const LatencySummary s = summarize(samples);
  EXPECT_EQ(s.samples, 1000u);
  EXPECT_EQ(s.min_ns, 1);
  EXPECT_EQ(s.p50_ns, 500);
  EXPECT_EQ(s.p99_ns, 990);
  EXPECT_EQ(s.p999_ns, 999);
  EXPECT_EQ(s.max_ns, 1000);
  EXPECT_DOUBLE_EQ(s.mean_ns, 500.5);
}

TEST(LatencyStats, FewSamplesGiveTheLargestForHighPercentiles) {
  std::vector<std::int64_t> samples{30, 10, 20};
  const LatencySummary s = summarize(samples);
  EXPECT_EQ(s.p50_ns, 20);
  EXPECT_EQ(s.p99_ns, 30);
  EXPECT_EQ(s.p999_ns, 30);
  std::vector<std::int64_t> none;
  EXPECT_EQ(summarize(none).samples, 0u);
}

TEST(LatencyStats, BucketsHaveEightStepsPerOctave) {
  EXPECT_EQ(bucket_floor(0), 0);
  EXPECT_EQ(bucket_floor(7), 0);
  EXPECT_EQ(bucket_floor(1024), 1024);
  EXPECT_EQ(bucket_floor(1024 + 127), 1024);
  EXPECT_EQ(bucket_floor(1024 + 128), 1024 + 128);
  EXPECT_EQ(bucket_next(1024), 1024 + 128);
  EXPECT_EQ(bucket_next(2048 - 128), 2048);
  for (std::int64_t v : {9, 100, 999, 123456, 987654321}) {
    EXPECT_LE(bucket_floor(v), v);
    EXPECT_GT(bucket_next(bucket_floor(v)), v);
  }
  const Histogram h = log_histogram({1000, 1001, 1010, 5000});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].second, 3u);
  EXPECT_EQ(h[1].second, 1u);
}

TEST(WorkerArguments, RoundTrip) {
  WorkerSpec spec;
  spec.role = Role::kSubscriber;
  spec.topic = "axle_bench/1/c7";
  spec.size = 1 << 20;
  spec.mode = WaitMode::kBusyPoll;
  spec.count = 123;
  spec.warmup = 4;
  spec.seconds = 2.5;
  spec.subscribers = 4;
  spec.index = 3;
  spec.touch = true;
  spec.samples_file = "/tmp/axle bench/samples";
  auto parsed = parse_worker_arguments(worker_arguments(spec));
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->role, Role::kSubscriber);
  EXPECT_EQ(parsed->topic, spec.topic);
  EXPECT_EQ(parsed->size, spec.size);
  EXPECT_EQ(parsed->mode, WaitMode::kBusyPoll);
  EXPECT_EQ(parsed->count, 123u);
  EXPECT_EQ(parsed->warmup, 4u);
  EXPECT_DOUBLE_EQ(parsed->seconds, 2.5);
  EXPECT_EQ(parsed->subscribers, 4u);
  EXPECT_EQ(parsed->index, 3u);
  EXPECT_TRUE(parsed->touch);
  EXPECT_EQ(parsed->samples_file, spec.samples_file);
  // Without a samples file the argument is left out, and none is parsed back.
  spec.samples_file.clear();
  const std::vector<std::string> args = worker_arguments(spec);
  EXPECT_EQ(std::count(args.begin(), args.end(), "--samples-file"), 0);
  EXPECT_TRUE(parse_worker_arguments(args)->samples_file.empty());
}

TEST(WorkerArguments, RefusesBadInput) {
  EXPECT_FALSE(parse_worker_arguments({"--role"}));
  EXPECT_FALSE(parse_worker_arguments({"--role", "leader"}));
  EXPECT_FALSE(parse_worker_arguments({"--size", "4"}));
  EXPECT_FALSE(parse_worker_arguments({"--size", "12x"}));
  EXPECT_FALSE(parse_worker_arguments({"--mode", "fast"}));
  EXPECT_FALSE(parse_worker_arguments({"--colour", "red"}));
  EXPECT_FALSE(parse_worker_arguments({"--subscribers", "0"}));
  EXPECT_FALSE(parse_worker_arguments({"--samples-file", ""}));
}

TEST(SamplesFile, RoundsAppendInOrderAndAPartialSampleIsRefused) {
  const test::TempDir dir;
  const std::string path = (dir.path() / "samples").string();
  ASSERT_TRUE(write_samples_file(path, {5, -1, std::numeric_limits<std::int64_t>::max()}));
  std::vector<std::int64_t> merged{7};
  ASSERT_TRUE(read_samples_file(path, merged));
  ASSERT_TRUE(write_samples_file(path, {}));  // a round may end with no sample
  ASSERT_TRUE(read_samples_file(path, merged));
  EXPECT_EQ(merged,
            (std::vector<std::int64_t>{7, 5, -1, std::numeric_limits<std::int64_t>::max()}));

  test::write_file(dir.path() / "torn", std::string(12, 'x'));
  auto torn = read_samples_file((dir.path() / "torn").string(), merged);
  ASSERT_FALSE(torn);
  EXPECT_EQ(torn.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(torn.error().message.find("12 bytes"), std::string::npos) << torn.error().message;
  EXPECT_EQ(merged.size(), 4u);  // nothing appended on failure
  auto missing = read_samples_file((dir.path() / "absent").string(), merged);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos) << missing.error().message;
}

TEST(Payload, SequenceSurvivesAndTouchWritesEverything) {
  std::vector<unsigned char> buf(256, 0);
  write_payload(buf.data(), buf.size(), 0x0102030405060708u, /*touch=*/true);
  EXPECT_EQ(read_payload(buf.data(), buf.size(), true), 0x0102030405060708u);
  EXPECT_EQ(buf[200], 0x08);
  std::vector<unsigned char> quiet(256, 0);
  write_payload(quiet.data(), quiet.size(), 42, /*touch=*/false);
  EXPECT_EQ(read_payload(quiet.data(), quiet.size(), false), 42u);
  EXPECT_EQ(quiet[200], 0);
}

TEST(SvgChart, OnePolylinePerSeriesAndEscapedText) {
  ChartPanel panel{
      "64 B, <busy>",
      {{"axle", log_histogram({300, 310, 900})}, {"iceoryx", log_histogram({1000, 1200})}}};
  ChartPanel empty{"nothing", {}};
  const std::string svg = latency_histogram_svg("t & t", {panel, empty});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::size_t lines = 0;
  for (std::size_t p = svg.find("<polyline"); p != std::string::npos;
       p = svg.find("<polyline", p + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 2u);
  EXPECT_NE(svg.find("64 B, &lt;busy&gt;"), std::string::npos);
  EXPECT_NE(svg.find("t &amp; t"), std::string::npos);
  EXPECT_NE(svg.find("no samples"), std::string::npos);
}

}  // namespace
}  // namespace axle::perf
