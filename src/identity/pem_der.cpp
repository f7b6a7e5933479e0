#include "pem_der.hpp"

#include <array>

namespace axle::identity::detail {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::array<std::int8_t, 256> base64_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return t;
}

// Standard base64 with whitespace between characters; '=' padding only at the very end.
std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view body) {
  static constexpr auto kTable = base64_table();
  std::vector<std::uint8_t> out;
  out.reserve(body.size() * 3 / 4);
  std::uint32_t acc = 0;
  int have = 0;
  int padding = 0;
  for (char c : body) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const std::int8_t v = kTable[static_cast<unsigned char>(c)];
    if (v < 0 || padding != 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (++have == 4) {
      out.push_back(static_cast<std::uint8_t>(acc >> 16));
      out.push_back(static_cast<std::uint8_t>(acc >> 8));
      out.push_back(static_cast<std::uint8_t>(acc));
      acc = 0;
      have = 0;
    }
  }
  if (have == 0 && padding == 0) return out;
  if (have == 2 && padding == 2 && (acc & 0xF) == 0) {
    out.push_back(static_cast<std::uint8_t>(acc >> 4));
    return out;
  }
  if (have == 3 && padding == 1 && (acc & 0x3) == 0) {
    out.push_back(static_cast<std::uint8_t>(acc >> 10));
    out.push_back(static_cast<std::uint8_t>(acc >> 2));
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::vector<std::uint8_t>>> pem_certificates_der(std::string_view pem) {
  std::vector<std::vector<std::uint8_t>> certs;
  std::size_t i = 0;
  for (;;) {
    while (i < pem.size() && is_space(pem[i])) ++i;
    if (i == pem.size()) break;
    if (pem.substr(i, kBegin.size()) != kBegin) return std::nullopt;
    i += kBegin.size();
    const std::size_t end = pem.find(kEnd, i);
    if (end == std::string_view::npos) return std::nullopt;
    auto der = decode_base64(pem.substr(i, end - i));
    if (!der || der->empty()) return std::nullopt;
    certs.push_back(std::move(*der));
    i = end + kEnd.size();
  }
  if (certs.empty()) return std::nullopt;
  return certs;
}

}  // namespace axle::identity::detail
