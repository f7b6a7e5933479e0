#include "axle/core/secret.hpp"

#include <string.h>  // explicit_bzero (glibc)

namespace axle {

void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size > 0) explicit_bzero(data, size);
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(); }

bool SecretBytes::equals(const SecretBytes& other) const noexcept {
  if (bytes_.size() != other.bytes_.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    diff = static_cast<std::uint8_t>(diff | (bytes_[i] ^ other.bytes_[i]));
  }
  return diff == 0;
}

void SecretBytes::wipe() noexcept {
  // The buffer never grows after construction (no resize API), so no stale copy exists elsewhere.
  secure_wipe(bytes_.data(), bytes_.size());
  bytes_.clear();
}

}  // namespace axle
