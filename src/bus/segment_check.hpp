// Validation of a segment's header against the file it came from, and of a participant's wishes
// against the header: the only place where values read from a foreign-controlled header become
// trusted parameters (docs/threat-model.md#bus).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "axle/bus/options.hpp"
#include "axle/core/result.hpp"
#include "layout.hpp"

namespace axle::bus::detail {

struct CheckedHeader {
  bool ready = false;  // false: an unfinished segment whose creator died
  Params params;
  Layout layout;
  std::string type_name;
  std::string encoding;
  std::uint64_t type_hash = 0;
};

// kCorrupt when the bytes are not a complete, consistent segment of this ABI.
Result<CheckedHeader> check_segment(const void* base, std::size_t size, const std::string& path);

// The limits a creator with these options uses; kInvalidArgument when out of bounds.
Result<Params> params_from_options(const TopicOptions& options);

// kFailedPrecondition, naming both sides, when the type or maximum size differ.
Result<void> check_type(const CheckedHeader& header, const TopicOptions& options,
                        const std::string& path);

}  // namespace axle::bus::detail
