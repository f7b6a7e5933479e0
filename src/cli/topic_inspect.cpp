// `axle topic list|info|clean` and `axle node list`: read the registries of this user's topics
// under /dev/shm. Nothing here joins a topic.
#include <fmt/format.h>

#include <iostream>
#include <map>

#include "axle/bus/introspect.hpp"
#include "axle/core/clock.hpp"
#include "topic_commands.hpp"

namespace axle::cli::topic {

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

}  // namespace

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

Result<bus::TopicOptions> options_of(const std::string& topic) {
  auto found = bus::inspect_topic(topic);
  if (!found && found.error().code == ErrorCode::kNotFound) {
    return make_error(ErrorCode::kNotFound, "topic '" + topic +
                                                "' does not exist on this host for this user "
                                                "(`axle topic list` shows the topics)");
  }
  AXLE_TRY(const bus::TopicInfo info, std::move(found));
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

}  // namespace axle::cli::topic
