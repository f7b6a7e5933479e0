#include "names.hpp"

#include <unistd.h>

namespace axle::bus::detail {

namespace {

constexpr std::size_t kMaxTopicLength = 200;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string prefix() { return "axle." + std::to_string(geteuid()) + "."; }

}  // namespace

Result<void> validate_topic(std::string_view topic) {
  bool valid = !topic.empty() && topic.size() <= kMaxTopicLength && topic.front() != '/' &&
               topic.back() != '/';
  for (std::size_t i = 0; valid && i < topic.size(); ++i) {
    const char c = topic[i];
    valid = is_name_char(c) || (c == '/' && topic[i - 1] != '/');
  }
  if (!valid) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid topic name '" + std::string(topic.substr(0, kMaxTopicLength)) +
                          "': use 1-200 characters of [A-Za-z0-9_-] separated by '/'");
  }
  return axle::ok();
}

std::string shm_name(std::string_view topic) {
  // Appended piecewise: g++ 12 at -O2/-O3 warns falsely (-Wrestrict, GCC PR 105329) about
  // operator+ on a literal and a temporary string.
  std::string name(1, '/');
  name += prefix();
  for (char c : topic) name += c == '/' ? '.' : c;
  return name;
}

std::string shm_path(std::string_view topic) { return "/dev/shm" + shm_name(topic); }

std::optional<std::string> topic_from_file_name(std::string_view file_name) {
  const std::string p = prefix();
  if (file_name.substr(0, p.size()) != p) return std::nullopt;
  std::string topic(file_name.substr(p.size()));
  for (char& c : topic) c = c == '.' ? '/' : c;
  if (!validate_topic(topic)) return std::nullopt;
  return topic;
}

}  // namespace axle::bus::detail
