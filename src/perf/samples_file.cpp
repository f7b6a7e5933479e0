#include "axle/perf/samples_file.hpp"

#include <cstring>

#include "axle/core/files.hpp"

namespace axle::perf {

namespace {

// --count allows 10^8 round trips: 800 MB of samples.
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30;

}  // namespace

Result<void> write_samples_file(const std::string& path, const std::vector<std::int64_t>& samples) {
  // Atomic: the reader never sees part of a run.
  return write_file_atomic(path, std::span(reinterpret_cast<const std::uint8_t*>(samples.data()),
                                           samples.size() * sizeof(std::int64_t)));
}

Result<void> read_samples_file(const std::string& path, std::vector<std::int64_t>& out) {
  AXLE_TRY(const std::string bytes, read_file(path, kMaxFileBytes));
  if (bytes.size() % sizeof(std::int64_t) != 0) {
    return make_error(ErrorCode::kCorrupt, path + " is not a whole number of 8-byte samples (" +
                                               std::to_string(bytes.size()) + " bytes)");
  }
  const std::size_t start = out.size();
  out.resize(start + bytes.size() / sizeof(std::int64_t));
  std::memcpy(out.data() + start, bytes.data(), bytes.size());
  return axle::ok();
}

}  // namespace axle::perf
