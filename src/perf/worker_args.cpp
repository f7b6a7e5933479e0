#include <charconv>
#include <map>

#include "axle/perf/worker.hpp"

namespace axle::perf {

namespace {

Result<std::uint64_t> parse_u64(const std::string& key, const std::string& text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      key + " needs a whole number, not '" + text + "'");
  }
  return v;
}

Result<Role> parse_role(const std::string& name) {
  if (name == "ping") return Role::kPing;
  if (name == "pong") return Role::kPong;
  if (name == "pub") return Role::kPublisher;
  if (name == "sub") return Role::kSubscriber;
  return make_error(ErrorCode::kInvalidArgument,
                    "--role must be ping, pong, pub or sub, not '" + name + "'");
}

}  // namespace

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::kPing: return "ping";
    case Role::kPong: return "pong";
    case Role::kPublisher: return "pub";
    case Role::kSubscriber: return "sub";
  }
  return "?";
}

std::string_view mode_name(WaitMode mode) noexcept {
  return mode == WaitMode::kBusyPoll ? "busy-poll" : "blocking";
}

Result<WaitMode> parse_mode(std::string_view name) {
  if (name == "blocking") return WaitMode::kBlocking;
  if (name == "busy-poll" || name == "busy") return WaitMode::kBusyPoll;
  return make_error(ErrorCode::kInvalidArgument,
                    "mode must be blocking or busy-poll, not '" + std::string(name) + "'");
}

std::vector<std::string> worker_arguments(const WorkerSpec& spec) {
  std::vector<std::string> args{
      "--role",        std::string(role_name(spec.role)),
      "--topic",       spec.topic,
      "--size",        std::to_string(spec.size),
      "--mode",        std::string(mode_name(spec.mode)),
      "--count",       std::to_string(spec.count),
      "--warmup",      std::to_string(spec.warmup),
      "--millis",      std::to_string(static_cast<std::uint64_t>(spec.seconds * 1000.0)),
      "--subscribers", std::to_string(spec.subscribers),
      "--index",       std::to_string(spec.index),
      "--touch",       spec.touch ? "1" : "0"};
  if (!spec.samples_file.empty()) {
    args.emplace_back("--samples-file");
    args.push_back(spec.samples_file);
  }
  return args;
}

Result<WorkerSpec> parse_worker_arguments(const std::vector<std::string>& args) {
  if (args.size() % 2 != 0) {
    return make_error(ErrorCode::kInvalidArgument, "worker arguments come as --name value pairs");
  }
  WorkerSpec spec;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const std::string& key = args[i];
    const std::string& value = args[i + 1];
    if (key == "--role") {
      AXLE_TRY(spec.role, parse_role(value));
    } else if (key == "--topic") {
      spec.topic = value;
    } else if (key == "--mode") {
      AXLE_TRY(spec.mode, parse_mode(value));
    } else if (key == "--samples-file") {
      if (value.empty()) return make_error(ErrorCode::kInvalidArgument, "--samples-file is empty");
      spec.samples_file = value;
    } else {
      AXLE_TRY(const std::uint64_t v, parse_u64(key, value));
      if (key == "--size")
        spec.size = v;
      else if (key == "--count")
        spec.count = v;
      else if (key == "--warmup")
        spec.warmup = v;
      else if (key == "--millis")
        spec.seconds = static_cast<double>(v) / 1000.0;
      else if (key == "--subscribers")
        spec.subscribers = static_cast<std::uint32_t>(v);
      else if (key == "--index")
        spec.index = static_cast<std::uint32_t>(v);
      else if (key == "--touch")
        spec.touch = v != 0;
      else
        return make_error(ErrorCode::kInvalidArgument, "unknown worker argument '" + key + "'");
    }
  }
  if (spec.size < 8) {
    return make_error(ErrorCode::kInvalidArgument, "--size must be at least 8 bytes");
  }
  if (spec.topic.empty()) return make_error(ErrorCode::kInvalidArgument, "--topic is empty");
  if (spec.subscribers == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--subscribers must be at least 1");
  }
  return spec;
}

}  // namespace axle::perf
