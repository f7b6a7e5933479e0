#include "axle/bus/options.hpp"

#include <algorithm>

namespace axle::bus {

std::uint32_t default_chunk_count(const TopicOptions& o) noexcept {
  // Every queue full, every history entry, two loans per publisher and two samples held per
  // subscriber: loans cannot run dry unless a participant holds more than that.
  const std::uint64_t n = std::uint64_t{o.max_publishers} * 2 +
                          std::uint64_t{o.max_subscribers} * (std::uint64_t{o.queue_depth} + 2) +
                          o.history_depth;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(n, 1, 1U << 20));
}

}  // namespace axle::bus
