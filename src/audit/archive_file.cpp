// The archive file: a zstd skippable frame holding the signed manifest, then the segment as zstd
// frames. Skippable frames are part of the zstd format (RFC 8878 §3.1.2): `zstd -d` skips the
// manifest and restores the segment file byte for byte.
#include <zstd.h>

#include <cstring>
#include <memory>

#include "axle/audit/archive.hpp"

namespace axle::audit {

namespace {

constexpr std::uint32_t kSkippableMagic = 0x184D2A5AU;  // RFC 8878 §3.1.2: 0x184D2A5?
constexpr std::string_view kManifestTag = "AXLAUDM1";
constexpr std::size_t kMaxManifest = 1U << 20U;

void put_u32_le(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8U * i)));
}

std::uint32_t get_u32_le(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8U) | (std::uint32_t{p[2]} << 16U) |
         (std::uint32_t{p[3]} << 24U);
}

Error malformed(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "malformed archive: " + why);
}

struct CctxFree {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DctxFree {
  void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

}  // namespace

Result<std::vector<std::uint8_t>> encode_archive(std::string_view signed_manifest,
                                                 std::span<const std::uint8_t> segment,
                                                 int zstd_level) {
  if (signed_manifest.size() > kMaxManifest) {
    return make_error(ErrorCode::kInvalidArgument, "archive manifest too large");
  }
  std::vector<std::uint8_t> out;
  put_u32_le(out, kSkippableMagic);
  put_u32_le(out, static_cast<std::uint32_t>(kManifestTag.size() + signed_manifest.size()));
  out.insert(out.end(), kManifestTag.begin(), kManifestTag.end());
  out.insert(out.end(), signed_manifest.begin(), signed_manifest.end());

  std::unique_ptr<ZSTD_CCtx, CctxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return make_error(ErrorCode::kInternal, "zstd: cannot create a compression context");
  if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1)) ||
      ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cctx.get(), segment.size()))) {
    return make_error(ErrorCode::kInvalidArgument,
                      "zstd: bad compression level " + std::to_string(zstd_level));
  }
  const std::size_t header = out.size();
  out.resize(header + ZSTD_compressBound(segment.size()));
  const std::size_t n = ZSTD_compress2(cctx.get(), out.data() + header, out.size() - header,
                                       segment.data(), segment.size());
  if (ZSTD_isError(n)) {
    return make_error(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out.resize(header + n);
  return out;
}

Result<ArchiveParts> split_archive(std::span<const std::uint8_t> file) {
  if (file.size() < 8 || get_u32_le(file.data()) != kSkippableMagic) {
    return malformed("it does not start with an axle manifest frame (not an axle audit archive)");
  }
  const std::uint32_t size = get_u32_le(file.data() + 4);
  if (size > file.size() - 8 || size < kManifestTag.size() || size > kMaxManifest) {
    return malformed("the manifest frame is cut short or too long");
  }
  const auto payload = file.subspan(8, size);
  if (std::memcmp(payload.data(), kManifestTag.data(), kManifestTag.size()) != 0) {
    return malformed("the first frame is not an axle manifest");
  }
  ArchiveParts parts;
  parts.signed_manifest.assign(payload.begin() + kManifestTag.size(), payload.end());
  parts.compressed = file.subspan(8 + size);
  if (parts.compressed.empty()) return malformed("no compressed segment after the manifest");
  return parts;
}

Result<std::vector<std::uint8_t>> decompress_segment(std::span<const std::uint8_t> compressed,
                                                     std::uint64_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return make_error(ErrorCode::kInternal, "zstd: cannot create a context");
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(last)) {
      return malformed(std::string("the compressed segment is corrupt (zstd: ") +
                       ZSTD_getErrorName(last) + ")");
    }
    if (out.size() + o.pos > max_bytes) {
      return malformed("the segment decompresses to more than the manifest's " +
                       std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(o.pos));
  }
  // Drain what the decoder still holds after the last input byte.
  while (last != 0) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(last)) {
      return malformed(std::string("the compressed segment is corrupt (zstd: ") +
                       ZSTD_getErrorName(last) + ")");
    }
    if (o.pos == 0) break;
    if (out.size() + o.pos > max_bytes) {
      return malformed("the segment decompresses to more than the manifest's " +
                       std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(o.pos));
  }
  if (last != 0) return malformed("the compressed segment is cut short (truncated archive)");
  return out;
}

}  // namespace axle::audit
