// `axle topic hz|bw`: measure a topic's message rate and bandwidth as a best-effort subscriber
// (it never slows a publisher down; what it misses is reported as lost). Both end by themselves.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <limits>

#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "topic_commands.hpp"

namespace axle::cli::topic {

namespace {

// Statistics over the last `capacity` messages, as `ros2 topic bw -w N` keeps them.
class BandwidthWindow {
 public:
  explicit BandwidthWindow(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  void add(std::int64_t arrival_ns, std::uint64_t size) {
    entries_.push_back({arrival_ns, size});
    if (entries_.size() > capacity_) entries_.pop_front();
  }

  struct Stats {
    std::size_t messages = 0;
    double messages_per_s = 0;
    double bytes_per_s = 0;
    double mean_size = 0;
    std::uint64_t min_size = 0, max_size = 0;
  };

  [[nodiscard]] Stats stats() const {
    Stats s;
    s.messages = entries_.size();
    if (entries_.empty()) return s;
    std::uint64_t sum = 0;
    s.min_size = std::numeric_limits<std::uint64_t>::max();
    for (const auto& e : entries_) {
      sum += e.size;
      s.min_size = std::min(s.min_size, e.size);
      s.max_size = std::max(s.max_size, e.size);
    }
    s.mean_size = static_cast<double>(sum) / static_cast<double>(entries_.size());
    // A rate needs two arrivals: n messages span n - 1 intervals.
    const double span_s =
        static_cast<double>(entries_.back().arrival_ns - entries_.front().arrival_ns) / 1e9;
    if (entries_.size() > 1 && span_s > 0) {
      s.messages_per_s = static_cast<double>(entries_.size() - 1) / span_s;
      s.bytes_per_s = s.messages_per_s * s.mean_size;
    }
    return s;
  }

 private:
  struct Entry {
    std::int64_t arrival_ns;
    std::uint64_t size;
  };
  std::size_t capacity_;
  std::deque<Entry> entries_;
};

// 1000-based units, as ros2 topic bw prints them.
std::string human_bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.2f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.2f} KB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string bw_line(const BandwidthWindow::Stats& s) {
  return fmt::format("{}/s, {:.2f} msg/s, mean {} min {} max {}, window {}",
                     human_bytes(s.bytes_per_s), s.messages_per_s, human_bytes(s.mean_size),
                     human_bytes(static_cast<double>(s.min_size)),
                     human_bytes(static_cast<double>(s.max_size)), s.messages);
}

}  // namespace

int run_hz(Context& ctx, const std::string& topic, double duration_s) {
  auto opts = options_of(topic);
  if (!opts) return ctx.fail(opts.error());
  auto node = bus::Node::create("axle-cli");
  if (!node) return ctx.fail(node.error());
  auto sub = node->create_subscriber(topic, *opts);
  if (!sub) return ctx.fail(sub.error());
  const std::int64_t start = monotonic_ns();
  const std::int64_t end = start + static_cast<std::int64_t>(duration_s * 1e9);
  std::uint64_t messages = 0, bytes = 0;
  std::int64_t first = 0, last = 0;
  for (std::int64_t now = start; now < end; now = monotonic_ns()) {
    auto s = sub->take(std::chrono::nanoseconds(end - now));
    if (!s) {
      if (s.error().code == ErrorCode::kTimeout) break;
      return ctx.fail(s.error());
    }
    last = monotonic_ns();
    if (messages == 0) first = last;
    ++messages;
    bytes += s->data().size();
  }
  // Rate between the first and the last sample: the wait for the first one is not traffic.
  const double span_s = static_cast<double>(last - first) / 1e9;
  const double hz = messages > 1 && span_s > 0 ? static_cast<double>(messages - 1) / span_s : 0;
  const double bw = messages > 1 && span_s > 0 ? static_cast<double>(bytes) / span_s : 0;
  if (ctx.options.json) {
    ctx.print_json({{"topic", topic},
                    {"messages", messages},
                    {"seconds", duration_s},
                    {"hz", hz},
                    {"bytes_per_s", bw},
                    {"lost", sub->lost()}});
  } else {
    std::cout << fmt::format("{}: {} messages, {:.2f} Hz, {:.0f} B/s, {} lost\n", topic, messages,
                             hz, bw, sub->lost());
  }
  return kExitOk;
}

int run_bw(Context& ctx, const BwOptions& b) {
  auto opts = options_of(b.topic);
  if (!opts) return ctx.fail(opts.error());
  auto node = bus::Node::create("axle-cli");
  if (!node) return ctx.fail(node.error());
  auto sub = node->create_subscriber(b.topic, *opts);
  if (!sub) return ctx.fail(sub.error());

  // Bounded in every mode: a duration, or a count whose every wait has a timeout.
  const double duration_s = b.duration_s > 0 ? b.duration_s : (b.count > 0 ? 0 : 5);
  const std::int64_t start = monotonic_ns();
  const std::int64_t end = duration_s > 0 ? start + static_cast<std::int64_t>(duration_s * 1e9) : 0;
  const auto timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(b.timeout_s * 1e9));
  BandwidthWindow window(b.window);
  std::uint64_t messages = 0, bytes = 0;
  std::int64_t next_report = start + 1'000'000'000;
  std::int64_t last_message = start;
  while (b.count == 0 || messages < b.count) {
    const std::int64_t now = monotonic_ns();
    if (end != 0 && now >= end) break;
    const std::int64_t give_up = end != 0 ? end : last_message + timeout.count();
    if (now >= give_up) {  // only without a duration: a count that does not come
      return ctx.fail(make_error(ErrorCode::kTimeout,
                                 fmt::format("no message on '{}' for {} s ({} of {} received)",
                                             b.topic, b.timeout_s, messages, b.count)));
    }
    // Wake at least once a second for the live line.
    const std::int64_t wake = ctx.options.json ? give_up : std::min(give_up, next_report);
    auto s = sub->take(std::chrono::nanoseconds(std::max<std::int64_t>(wake - now, 0)));
    if (s) {
      last_message = monotonic_ns();
      ++messages;
      bytes += s->data().size();
      window.add(last_message, s->data().size());
    } else if (s.error().code != ErrorCode::kTimeout) {
      return ctx.fail(s.error());
    }
    if (!ctx.options.json && monotonic_ns() >= next_report) {
      const auto st = window.stats();
      std::cout << fmt::format("{}: {}", b.topic, st.messages ? bw_line(st) : "no message yet")
                << std::endl;
      next_report += 1'000'000'000;
    }
  }
  const double seconds = static_cast<double>(monotonic_ns() - start) / 1e9;
  const BandwidthWindow::Stats st = window.stats();
  if (ctx.options.json) {
    ctx.print_json({{"topic", b.topic},
                    {"window", b.window},
                    {"window_messages", st.messages},
                    {"bytes_per_s", st.bytes_per_s},
                    {"messages_per_s", st.messages_per_s},
                    {"mean_size", st.mean_size},
                    {"min_size", st.min_size},
                    {"max_size", st.max_size},
                    {"total_messages", messages},
                    {"total_bytes", bytes},
                    {"seconds", seconds},
                    {"lost", sub->lost()}});
  } else {
    std::cout << fmt::format("{}: {} | total {} messages, {} in {:.1f} s, {} lost\n", b.topic,
                             bw_line(st), messages, human_bytes(static_cast<double>(bytes)),
                             seconds, sub->lost());
  }
  return kExitOk;
}

}  // namespace axle::cli::topic
