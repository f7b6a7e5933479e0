// Publisher: loans chunks of a topic's segment, lets the caller write a message in place, and
// publishes it to every subscriber without a copy (docs/bus.md).
//
//   AXLE_TRY(auto loan, pub.loan());
//   std::memcpy(loan.data().data(), bytes, n);
//   AXLE_RETURN_IF_ERROR(pub.publish(std::move(loan), n));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "axle/bus/options.hpp"
#include "axle/core/result.hpp"

namespace axle::bus {

namespace detail {
class Endpoint;
}

// A chunk loaned to one publisher. Destroying it without publishing gives the chunk back.
class Loan {
 public:
  // Inline for the same reason as Sample's: every loan is moved into publish().
  Loan(Loan&& other) noexcept = default;
  Loan& operator=(Loan&& other) noexcept;
  Loan(const Loan&) = delete;
  Loan& operator=(const Loan&) = delete;
  ~Loan() {
    if (publisher_ != nullptr) reset();
  }

  // The whole chunk: max_message_size bytes, 64-byte aligned.
  [[nodiscard]] std::span<std::byte> data() const noexcept { return data_; }

 private:
  friend class Publisher;
  Loan(std::shared_ptr<detail::Endpoint> publisher, std::uint32_t chunk, std::span<std::byte> data);
  void reset() noexcept;
  std::shared_ptr<detail::Endpoint> publisher_;
  std::uint32_t chunk_ = 0;
  std::span<std::byte> data_;
};

class Publisher {
 public:
  Publisher(Publisher&& other) noexcept;
  Publisher& operator=(Publisher&& other) noexcept;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  ~Publisher();  // leaves the topic

  // A free chunk; waits up to options.timeout when all are in use (kTimeout).
  Result<Loan> loan();
  // Publishes the first `size` bytes of the loan; the loan is consumed even on failure. With
  // reliable subscribers whose queue stays full past options.timeout, every other subscriber still
  // gets the sample and kTimeout says how many did not.
  Result<void> publish(Loan&& loan, std::size_t size);
  // loan() + copy + publish(), for small messages and tools.
  Result<void> publish_copy(std::span<const std::byte> bytes);

  [[nodiscard]] std::size_t subscriber_count() const noexcept;
  [[nodiscard]] std::uint64_t max_message_size() const noexcept;

 private:
  friend class Node;
  Publisher(std::shared_ptr<detail::Endpoint> endpoint, PublisherOptions options);
  // Delivers the loaned chunk to subscriber slot `s`; false when a reliable queue stayed full
  // past `deadline_ns` (0: not yet set; set from options.timeout when a queue is first full).
  bool deliver(std::uint32_t chunk, std::uint32_t s, std::int64_t& deadline_ns);
  std::shared_ptr<detail::Endpoint> endpoint_;
  PublisherOptions options_;
};

}  // namespace axle::bus
