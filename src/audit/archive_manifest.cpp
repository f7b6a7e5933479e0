// The archive manifest: a small line-oriented text, signed as a C2SP signed note.
//
//   axle-audit-archive/v1
//   origin <origin>
//   segment seg-<first:20>.log
//   entries <first> <last>
//   bytes <segment size>
//   sha256 <hex>
//   newest <RFC 5424 timestamp of the last entry, or ->
//   key-ids <d<YYYY-MM-DD> ...|->
//   checkpoint <base64 of the signed checkpoint>
//   left <base64 hash ...|->
//   right <base64 hash ...|->
//
// Every line is required, once, in this order: the parser is strict so that one signed manifest
// has one meaning.
#include <algorithm>
#include <charconv>
#include <string>

#include "axle/audit/archive.hpp"
#include "base64.hpp"

namespace axle::audit {

namespace {

constexpr std::string_view kHeader = "axle-audit-archive/v1";

Error malformed(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "malformed archive manifest: " + why);
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4U];
    out += kDigits[b & 15U];
  }
  return out;
}

std::string hash_list(const std::vector<Hash>& hashes) {
  if (hashes.empty()) return "-";
  std::string out;
  for (const Hash& h : hashes) {
    if (!out.empty()) out += ' ';
    out += detail::base64_encode(h);
  }
  return out;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t sp = s.find(' ', start);
    out.push_back(s.substr(start, sp == std::string_view::npos ? sp : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return out;
}

bool is_word(std::string_view s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
  });
}

Result<std::uint64_t> number(std::string_view s, const char* what) {
  std::uint64_t v = 0;
  if (s.empty() || (s.size() > 1 && s[0] == '0') ||
      s.find_first_not_of("0123456789") != std::string_view::npos) {
    return malformed(std::string(what) + " is not a decimal number");
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    return malformed(std::string(what) + " too big");
  return v;
}

Result<std::vector<Hash>> parse_hashes(std::string_view value, const char* what) {
  std::vector<Hash> out;
  if (value == "-") return out;
  for (std::string_view w : split_words(value)) {
    auto bytes = detail::base64_decode(w);
    if (!bytes || bytes->size() != 32) {
      return malformed(std::string(what) + " holds a value that is not base64 of 32 bytes");
    }
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.push_back(h);
  }
  return out;
}

}  // namespace

Result<std::string> format_manifest(const ArchiveManifest& m) {
  if (!is_word(m.origin) || !is_word(m.segment) || !is_word(m.newest)) {
    return malformed("origin, segment and newest must be single words");
  }
  for (const auto& k : m.key_ids) {
    if (!is_word(k) || k == "-") return malformed("key ids must be single words");
  }
  if (m.last < m.first) return malformed("last entry before the first");
  std::string key_ids;
  for (const auto& k : m.key_ids) key_ids += (key_ids.empty() ? "" : " ") + k;
  const auto* cp = reinterpret_cast<const std::uint8_t*>(m.checkpoint.data());
  std::string out(kHeader);
  out += "\norigin " + m.origin;
  out += "\nsegment " + m.segment;
  out += "\nentries " + std::to_string(m.first) + " " + std::to_string(m.last);
  out += "\nbytes " + std::to_string(m.segment_bytes);
  out += "\nsha256 " + hex(m.segment_sha256);
  out += "\nnewest " + m.newest;
  out += "\nkey-ids " + (key_ids.empty() ? std::string("-") : key_ids);
  out += "\ncheckpoint " + detail::base64_encode({cp, m.checkpoint.size()});
  out += "\nleft " + hash_list(m.left);
  out += "\nright " + hash_list(m.right);
  out += "\n";
  return out;
}

Result<ArchiveManifest> parse_manifest(std::string_view text) {
  static constexpr std::string_view kKeys[] = {"origin", "segment", "entries",    "bytes", "sha256",
                                               "newest", "key-ids", "checkpoint", "left",  "right"};
  if (text.empty() || text.back() != '\n') return malformed("must end with a newline");
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() != 1 + std::size(kKeys) || lines[0] != kHeader) {
    return malformed("expected the line '" + std::string(kHeader) + "' and " +
                     std::to_string(std::size(kKeys)) + " fields");
  }
  std::string_view v[std::size(kKeys)];
  for (std::size_t i = 0; i < std::size(kKeys); ++i) {
    const std::string_view line = lines[i + 1];
    if (!line.starts_with(kKeys[i]) || line.size() < kKeys[i].size() + 2 ||
        line[kKeys[i].size()] != ' ') {
      return malformed("line " + std::to_string(i + 2) + " must be '" + std::string(kKeys[i]) +
                       " ...'");
    }
    v[i] = line.substr(kKeys[i].size() + 1);
  }
  ArchiveManifest m;
  m.origin = std::string(v[0]);
  m.segment = std::string(v[1]);
  const auto range = split_words(v[2]);
  if (range.size() != 2) return malformed("entries needs the first and the last sequence number");
  AXLE_TRY(m.first, number(range[0], "first entry"));
  AXLE_TRY(m.last, number(range[1], "last entry"));
  if (m.last < m.first) return malformed("last entry before the first");
  AXLE_TRY(m.segment_bytes, number(v[3], "bytes"));
  if (v[4].size() != 64 || v[4].find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return malformed("sha256 is not 64 lower-case hex digits");
  }
  for (std::size_t i = 0; i < 32; ++i) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    m.segment_sha256[i] = static_cast<std::uint8_t>(nib(v[4][2 * i]) * 16 + nib(v[4][2 * i + 1]));
  }
  m.newest = std::string(v[5]);
  if (!is_word(m.origin) || !is_word(m.segment) || !is_word(m.newest)) {
    return malformed("origin, segment and newest must be single words");
  }
  if (v[6] != "-") {
    for (std::string_view k : split_words(v[6])) {
      // "-" stands alone for "none": beside other ids it would not survive a round trip.
      if (!is_word(k) || k == "-") return malformed("key-ids holds '-' beside ids, or no id");
      m.key_ids.emplace_back(k);
    }
  }
  auto cp = detail::base64_decode(v[7]);
  if (!cp || cp->empty()) return malformed("checkpoint is not base64");
  m.checkpoint.assign(cp->begin(), cp->end());
  AXLE_TRY(m.left, parse_hashes(v[8], "left"));
  AXLE_TRY(m.right, parse_hashes(v[9], "right"));
  return m;
}

std::string retention_target(std::uint64_t first, std::uint64_t last) {
  return "entries:" + std::to_string(first) + "-" + std::to_string(last);
}

}  // namespace axle::audit
