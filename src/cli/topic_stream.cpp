// `axle topic echo|pub`: take part in a topic as a node named "axle-cli", with the topic's own
// type (or, for pub, as raw bytes on a topic it creates).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "topic_commands.hpp"

namespace axle::cli::topic {

namespace {

std::string hex_prefix(std::span<const std::byte> data, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < data.size() && i < max; ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned>(data[i]));
  }
  if (data.size() > max) out += "...";
  return out;
}

}  // namespace

int run_echo(Context& ctx, const EchoOptions& e) {
  auto opts = options_of(e.topic);
  if (!opts) return ctx.fail(opts.error());
  auto node = bus::Node::create("axle-cli");
  if (!node) return ctx.fail(node.error());
  bus::SubscriberOptions so;
  if (e.transient) so.durability = bus::Durability::kTransientLocal;
  auto sub = node->create_subscriber(e.topic, *opts, so);
  if (!sub) return ctx.fail(sub.error());
  const auto timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(e.timeout_s * 1e9));
  for (std::uint64_t n = 0; e.count == 0 || n < e.count; ++n) {
    auto s = sub->take(timeout);
    if (!s) return ctx.fail(s.error());
    const std::string hex = hex_prefix(s->data(), ctx.options.json ? 4096 : 32);
    if (ctx.options.json) {
      // One JSON object per line, so that a stream can be read sample by sample.
      nlohmann::ordered_json j = {{"sequence", s->sequence()},
                                  {"size", s->data().size()},
                                  {"latency_ns", monotonic_ns() - s->publish_time_ns()},
                                  {"hex", hex}};
      std::cout << j.dump() << std::endl;
    } else {
      std::cout << fmt::format("#{} {} bytes {}", s->sequence(), s->data().size(), hex)
                << std::endl;
    }
  }
  return kExitOk;
}

int run_pub(Context& ctx, const PubOptions& p) {
  bus::TopicOptions opts;
  if (auto existing = options_of(p.topic)) {
    opts = *existing;
  } else if (existing.error().code == ErrorCode::kNotFound) {
    opts.max_message_size = std::max<std::uint64_t>(4096, p.data.size());
  } else {
    return ctx.fail(existing.error());
  }
  auto node = bus::Node::create("axle-cli");
  if (!node) return ctx.fail(node.error());
  auto pub = node->create_publisher(p.topic, opts);
  if (!pub) return ctx.fail(pub.error());
  const auto period = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / p.rate));
  for (std::uint64_t i = 0; i < p.count; ++i) {
    if (i > 0) std::this_thread::sleep_for(period);
    std::vector<std::byte> bytes(p.data.size());
    std::memcpy(bytes.data(), p.data.data(), p.data.size());
    auto r = pub->publish_copy(bytes);
    if (!r) return ctx.fail(r.error());
  }
  if (ctx.options.json) {
    ctx.print_json({{"topic", p.topic}, {"published", p.count}, {"size", p.data.size()}});
  } else {
    std::cout << fmt::format("published {} message(s) of {} bytes to {}\n", p.count, p.data.size(),
                             p.topic);
  }
  return kExitOk;
}

}  // namespace axle::cli::topic
