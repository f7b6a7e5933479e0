#include "segment_check.hpp"

#include <atomic>
#include <cstring>

namespace axle::bus::detail {

namespace {

Error corrupt(const std::string& path, const std::string& why) {
  return make_error(ErrorCode::kCorrupt, path + " is not a valid axle bus segment (" + why +
                                             "); remove it if no process uses it: rm " + path);
}

// A fixed-size name field that must be NUL-terminated inside its bounds.
bool read_name(const char* field, std::size_t capacity, std::string& out) {
  const void* nul = std::memchr(field, 0, capacity);
  if (nul == nullptr) return false;
  out.assign(field, static_cast<std::size_t>(static_cast<const char*>(nul) - field));
  return true;
}

}  // namespace

Result<CheckedHeader> check_segment(const void* base, std::size_t size, const std::string& path) {
  if (size < sizeof(SegmentHeader)) return corrupt(path, "shorter than a header");
  // Copy the header once: every check and every later use works on this snapshot, so a writer
  // changing it meanwhile cannot make a checked value differ from a used one.
  const auto& live = *static_cast<const SegmentHeader*>(base);
  CheckedHeader out;
  out.ready = live.state.load(std::memory_order_acquire) == kStateReady;
  const std::uint64_t magic = live.magic;
  if (!out.ready && (magic == 0 || magic == kMagic)) return out;
  if (magic != kMagic) return corrupt(path, "wrong magic");
  const std::uint32_t abi = live.abi_version;
  if (abi != kAbiVersion) {
    return corrupt(path, "ABI version " + std::to_string(abi) + ", this build speaks " +
                             std::to_string(kAbiVersion));
  }
  if (live.header_size != sizeof(SegmentHeader)) return corrupt(path, "wrong header size");
  if (live.total_size != size) return corrupt(path, "size differs from its header");
  Params& p = out.params;
  p.max_message_size = live.max_message_size;
  p.chunk_count = live.chunk_count;
  p.queue_depth = live.queue_depth;
  p.history_depth = live.history_depth;
  p.max_publishers = live.max_publishers;
  p.max_subscribers = live.max_subscribers;
  if (!compute_layout(p, out.layout)) return corrupt(path, "limits out of range");
  const Layout& l = out.layout;
  if (l.total_size != size || live.history_off != l.history_off ||
      live.pub_table_off != l.pub_table_off || live.sub_table_off != l.sub_table_off ||
      live.queue_off != l.queue_off || live.chunk_table_off != l.chunk_table_off ||
      live.payload_off != l.payload_off || live.chunk_stride != l.chunk_stride ||
      live.holder_ext_off != l.holder_ext_off || live.holder_ext_stride != l.holder_ext_stride) {
    return corrupt(path, "layout does not match its limits");
  }
  if (!read_name(live.type_name, sizeof(live.type_name), out.type_name) ||
      !read_name(live.encoding, sizeof(live.encoding), out.encoding)) {
    return corrupt(path, "unterminated type name or encoding");
  }
  out.type_hash = live.type_hash;
  return out;
}

Result<Params> params_from_options(const TopicOptions& o) {
  if (o.type_name.empty() || o.type_name.size() > kMaxTypeNameLength || o.encoding.empty() ||
      o.encoding.size() > kMaxEncodingLength) {
    return make_error(ErrorCode::kInvalidArgument,
                      "type name (1-127 bytes) or encoding (1-31 bytes) has a bad length");
  }
  Params p;
  p.max_message_size = o.max_message_size;
  p.queue_depth = o.queue_depth;
  p.history_depth = o.history_depth;
  p.max_publishers = o.max_publishers;
  p.max_subscribers = o.max_subscribers;
  p.chunk_count = o.chunk_count != 0 ? o.chunk_count : default_chunk_count(o);
  Layout unused;
  if (!compute_layout(p, unused)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "topic limits out of range: need max_message_size 1..4 GiB, chunk_count "
                      "1..1048576, queue_depth 1..65536, history_depth 0..65536, max_publishers "
                      "1..32767, max_subscribers 1..32767, and a segment under 1 TiB");
  }
  return p;
}

Result<void> check_type(const CheckedHeader& h, const TopicOptions& o, const std::string& path) {
  if (h.type_name != o.type_name || h.type_hash != o.type_hash || h.encoding != o.encoding ||
      h.params.max_message_size != o.max_message_size) {
    return make_error(ErrorCode::kFailedPrecondition,
                      path + " carries type '" + h.type_name + "' (hash " +
                          std::to_string(h.type_hash) + ", encoding " + h.encoding + ", max size " +
                          std::to_string(h.params.max_message_size) +
                          "), but this participant wants '" + o.type_name + "' (hash " +
                          std::to_string(o.type_hash) + ", encoding " + o.encoding + ", max size " +
                          std::to_string(o.max_message_size) + ")");
  }
  return axle::ok();
}

}  // namespace axle::bus::detail
