// Secret bytes: wiped on destruction and on move-from, never printable.
//
// SecretBytes owns key material. It cannot be streamed or formatted (fmt/spdlog refuse at compile
// time, see the formatter below), and it compares in constant time. Borrow its content with
// view() only for the duration of a crypto call.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace axle {

// Overwrites `data` in a way the optimiser cannot drop.
void secure_wipe(void* data, std::size_t size) noexcept;

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  explicit SecretBytes(std::span<const std::uint8_t> data) : bytes_(data.begin(), data.end()) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t> mutable_view() noexcept { return bytes_; }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }

  // Constant-time equality (the length is not secret).
  [[nodiscard]] bool equals(const SecretBytes& other) const noexcept;

  void wipe() noexcept;

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace axle

// Formatting a secret is a compile error, so it cannot reach a log line by accident.
template <>
struct fmt::formatter<axle::SecretBytes> {
  template <typename Ctx>
  constexpr auto parse(Ctx& ctx) {
    return ctx.begin();
  }
  template <typename Ctx>
  auto format(const axle::SecretBytes&, Ctx& ctx) const {
    static_assert(sizeof(Ctx) == 0, "axle::SecretBytes must never be formatted or logged");
    return ctx.out();
  }
};
