// `axle topic list|info|echo|hz|pub` and `axle node list`: look at and take part in the
// shared-memory bus of this user. Reading commands do not join topics; echo, hz and pub join
// with the topic's own type, as a node named "axle-cli".
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

nlohmann::ordered_json participant_json(const bus::ParticipantInfo& p) {
  nlohmann::ordered_json j = {{"kind", p.kind},   {"slot", p.slot},
                              {"node", p.node},   {"pid", p.pid},
                              {"state", p.state}, {"process_alive", p.process_alive},
                              {"count", p.count}};
  if (p.kind == "subscriber") {
    j["reliable"] = p.reliable;
    j["lost"] = p.lost;
    j["queued"] = p.queued;
  }
  return j;
}

nlohmann::ordered_json topic_json(const bus::TopicInfo& t) {
  nlohmann::ordered_json j = {{"topic", t.topic},
                              {"path", t.path},
                              {"type_name", t.type_name},
                              {"type_hash", t.type_hash},
                              {"encoding", t.encoding},
                              {"max_message_size", t.max_message_size},
                              {"chunk_count", t.chunk_count},
                              {"free_chunks", t.free_chunks},
                              {"queue_depth", t.queue_depth},
                              {"history_depth", t.history_depth},
                              {"max_publishers", t.max_publishers},
                              {"max_subscribers", t.max_subscribers},
                              {"published", t.published},
                              {"segment_bytes", t.segment_bytes},
                              {"created", format_utc_ms(t.created_utc_ms)}};
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const auto& p : t.participants) parts.push_back(participant_json(p));
  j["participants"] = parts;
  return j;
}

std::size_t count_kind(const bus::TopicInfo& t, const char* kind) {
  std::size_t n = 0;
  for (const auto& p : t.participants) n += p.kind == kind ? 1 : 0;
  return n;
}

int run_list(Context& ctx) {
  auto topics = bus::list_topics();
  if (!topics) return ctx.fail(topics.error());
  nlohmann::ordered_json doc = nlohmann::ordered_json::array();
  for (const auto& name : *topics) {
    auto info = bus::inspect_topic(name);
    if (ctx.options.json) {
      if (info) {
        doc.push_back({{"topic", name},
                       {"type_name", info->type_name},
                       {"publishers", count_kind(*info, "publisher")},
                       {"subscribers", count_kind(*info, "subscriber")}});
      } else {
        doc.push_back({{"topic", name}, {"error", info.error().to_string()}});
      }
      continue;
    }
    if (info) {
      std::cout << fmt::format("{}  [{}]  {} publisher(s), {} subscriber(s)\n", name,
                               info->type_name, count_kind(*info, "publisher"),
                               count_kind(*info, "subscriber"));
    } else {
      std::cout << fmt::format("{}  (unreadable: {})\n", name, info.error().to_string());
    }
  }
  if (ctx.options.json) ctx.print_json(doc);
  return kExitOk;
}

int run_info(Context& ctx, const std::string& topic) {
  auto info = bus::inspect_topic(topic);
  if (!info) return ctx.fail(info.error());
  if (ctx.options.json) {
    ctx.print_json(topic_json(*info));
    return kExitOk;
  }
  const bus::TopicInfo& t = *info;
  std::cout << fmt::format(
      "topic:     {}\nsegment:   {} ({} bytes, created {})\ntype:      {} (hash {:016x}, "
      "encoding {})\nmax size:  {} bytes\nchunks:    {} ({} free)\nqueue:     depth {}, "
      "history {}\nslots:     {} publishers, {} subscribers\npublished: {}\n",
      t.topic, t.path, t.segment_bytes, format_utc_ms(t.created_utc_ms), t.type_name, t.type_hash,
      t.encoding, t.max_message_size, t.chunk_count, t.free_chunks, t.queue_depth, t.history_depth,
      t.max_publishers, t.max_subscribers, t.published);
  for (const auto& p : t.participants) {
    std::cout << fmt::format("  {} {} node={} pid={} {}{} count={}", p.kind, p.slot, p.node, p.pid,
                             p.state, p.process_alive ? "" : " (dead)", p.count);
    if (p.kind == "subscriber") {
      std::cout << fmt::format(" lost={} queued={}{}", p.lost, p.queued,
                               p.reliable ? " reliable" : "");
    }
    std::cout << '\n';
  }
  return kExitOk;
}

// The topic's own options, so that a CLI participant matches whatever created it.
Result<bus::TopicOptions> options_of(const std::string& topic) {
  AXLE_TRY(const bus::TopicInfo info, bus::inspect_topic(topic));
  bus::TopicOptions o;
  o.type_name = info.type_name;
  o.type_hash = info.type_hash;
  o.encoding = info.encoding;
  o.max_message_size = info.max_message_size;
  o.queue_depth = info.queue_depth;
  o.history_depth = info.history_depth;
  o.max_publishers = info.max_publishers;
  o.max_subscribers = info.max_subscribers;
  o.chunk_count = info.chunk_count;
  return o;
}

std::string hex_prefix(std::span<const std::byte> data, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < data.size() && i < max; ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned>(data[i]));
  }
  if (data.size() > max) out += "...";
  return out;
}

struct EchoOptions {
  std::string topic;
  std::uint64_t count = 0;
  double timeout_s = 10;
  bool transient = false;
};

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

struct PubOptions {
  std::string topic;
  std::string data;
  std::uint64_t count = 1;
  double rate = 10;
};

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

int run_clean(Context& ctx) {
  const bus::CleanReport report = bus::clean_stale_topics();
  if (ctx.options.json) {
    ctx.print_json({{"removed", report.removed}, {"refused", report.refused}});
  } else {
    for (const auto& t : report.removed) std::cout << "removed " << t << '\n';
    for (const auto& r : report.refused) std::cout << "left alone: " << r << '\n';
    if (report.removed.empty()) std::cout << "no stale topic\n";
  }
  return kExitOk;
}

int run_node_list(Context& ctx) {
  auto topics = bus::list_topics();
  if (!topics) return ctx.fail(topics.error());
  struct NodeEntry {
    bool alive = false;
    std::vector<std::pair<std::string, std::string>> endpoints;  // topic, kind
  };
  std::map<std::pair<std::string, std::int32_t>, NodeEntry> nodes;
  for (const auto& name : *topics) {
    auto info = bus::inspect_topic(name);
    if (!info) continue;  // `axle topic list` shows unreadable topics
    for (const auto& p : info->participants) {
      NodeEntry& n = nodes[{p.node, p.pid}];
      n.alive = p.process_alive;
      n.endpoints.emplace_back(name, p.kind);
    }
  }
  nlohmann::ordered_json doc = nlohmann::ordered_json::array();
  for (const auto& [key, n] : nodes) {
    if (ctx.options.json) {
      nlohmann::ordered_json eps = nlohmann::ordered_json::array();
      for (const auto& [topic, kind] : n.endpoints)
        eps.push_back({{"topic", topic}, {"kind", kind}});
      doc.push_back(
          {{"node", key.first}, {"pid", key.second}, {"alive", n.alive}, {"endpoints", eps}});
      continue;
    }
    std::cout << fmt::format("{} (pid {}{})\n", key.first, key.second, n.alive ? "" : ", dead");
    for (const auto& [topic, kind] : n.endpoints) std::cout << "  " << kind << ' ' << topic << '\n';
  }
  if (ctx.options.json) ctx.print_json(doc);
  return kExitOk;
}

}  // namespace

void register_topic_command(CLI::App& app, Context& ctx) {
  CLI::App* topic = app.add_subcommand("topic", "Look at and take part in the shared-memory bus");
  topic->require_subcommand(1);
  set_example(*topic, "axle topic list --json");

  CLI::App* list = topic->add_subcommand("list", "List this user's topics with type and endpoints");
  set_example(*list, "axle topic list");
  list->callback([&ctx] { ctx.exit_code = run_list(ctx); });

  auto info_topic = std::make_shared<std::string>();
  CLI::App* info = topic->add_subcommand("info", "Show a topic's metadata, limits and endpoints");
  info->add_option("topic", *info_topic, "Topic name, e.g. sensors/lidar")->required();
  set_example(*info, "axle topic info sensors/lidar --json");
  info->callback([&ctx, info_topic] { ctx.exit_code = run_info(ctx, *info_topic); });

  auto echo_opts = std::make_shared<EchoOptions>();
  CLI::App* echo = topic->add_subcommand("echo", "Print samples of a topic as they arrive");
  echo->add_option("topic", echo_opts->topic, "Topic name")->required();
  echo->add_option("-n,--count", echo_opts->count, "Stop after this many samples (0: never)");
  echo->add_option("--timeout", echo_opts->timeout_s, "Fail when no sample comes for this long (s)")
      ->check(CLI::PositiveNumber);
  echo->add_flag("--transient", echo_opts->transient, "Start with the topic's kept history");
  set_example(*echo, "axle topic echo sensors/imu -n 5 --json");
  echo->callback([&ctx, echo_opts] { ctx.exit_code = run_echo(ctx, *echo_opts); });

  auto hz_topic = std::make_shared<std::string>();
  auto hz_duration = std::make_shared<double>(5);
  CLI::App* hz = topic->add_subcommand("hz", "Measure a topic's message rate and bandwidth");
  hz->add_option("topic", *hz_topic, "Topic name")->required();
  hz->add_option("--duration", *hz_duration, "Measure for this long (s), default 5")
      ->check(CLI::PositiveNumber);
  set_example(*hz, "axle topic hz sensors/lidar --duration 3");
  hz->callback(
      [&ctx, hz_topic, hz_duration] { ctx.exit_code = run_hz(ctx, *hz_topic, *hz_duration); });

  auto pub_opts = std::make_shared<PubOptions>();
  CLI::App* pub = topic->add_subcommand(
      "pub", "Publish bytes to a topic (created as type 'bytes' if it does not exist)");
  pub->add_option("topic", pub_opts->topic, "Topic name")->required();
  pub->add_option("data", pub_opts->data, "The message (its bytes as given)")->required();
  pub->add_option("-n,--count", pub_opts->count, "How many times, default 1");
  pub->add_option("--rate", pub_opts->rate, "Messages per second when count > 1, default 10")
      ->check(CLI::PositiveNumber);
  set_example(*pub, "axle topic pub chat/hello 'hi there' -n 3");
  pub->callback([&ctx, pub_opts] { ctx.exit_code = run_pub(ctx, *pub_opts); });

  CLI::App* clean = topic->add_subcommand(
      "clean", "Remove segments no live process uses (corrupt ones are reported, not removed)");
  set_example(*clean, "axle topic clean --json");
  clean->callback([&ctx] { ctx.exit_code = run_clean(ctx); });

  CLI::App* node = app.add_subcommand("node", "Participants of the shared-memory bus");
  node->require_subcommand(1);
  CLI::App* node_list =
      node->add_subcommand("list", "List nodes (name, pid, alive) and their topics");
  set_example(*node_list, "axle node list --json");
  node_list->callback([&ctx] { ctx.exit_code = run_node_list(ctx); });
}

}  // namespace axle::cli
