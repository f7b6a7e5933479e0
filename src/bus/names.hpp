// Topic names and the shared-memory names of their segments (docs/bus.md, "Names and discovery").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::bus::detail {

// Checks a topic name: 1–200 characters, parts of [A-Za-z0-9_-] separated by single '/'.
Result<void> validate_topic(std::string_view topic);

// "sensors/lidar" -> "/axle.<euid>.sensors.lidar" (the argument of shm_open).
std::string shm_name(std::string_view topic);
// The file under /dev/shm of that name.
std::string shm_path(std::string_view topic);

// The topic of a /dev/shm file name of this user's bus ("axle.<euid>.a.b" -> "a/b").
std::optional<std::string> topic_from_file_name(std::string_view file_name);

}  // namespace axle::bus::detail
