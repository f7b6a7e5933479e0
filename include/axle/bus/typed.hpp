// Typed publish/subscribe for trivially copyable types: the message is the object's bytes,
// written in place in the chunk. The topic's type name, a hash of (name, size, alignment) and
// the encoding "pod" are checked at open, so two processes built with different layouts of a
// type refuse each other instead of misreading.
//
//   struct Imu { double t; float acc[3]; };
//   auto opts = axle::bus::typed_topic_options<Imu>("demo.Imu");
//   AXLE_TRY(auto pub, axle::bus::TypedPublisher<Imu>::create(node, "imu", opts));
//   AXLE_TRY(auto loan, pub.loan());
//   loan->t = 1.0;
//   AXLE_RETURN_IF_ERROR(pub.publish(std::move(loan)));
#pragma once

#include <chrono>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include "axle/bus/node.hpp"

namespace axle::bus {

// FNV-1a 64 over the type name, then its size and alignment.
constexpr std::uint64_t pod_type_hash(std::string_view name, std::size_t size,
                                      std::size_t alignment) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::uint64_t byte) {
    h ^= byte;
    h *= 1099511628211ULL;
  };
  for (char c : name) mix(static_cast<unsigned char>(c));
  for (int i = 0; i < 8; ++i) mix((static_cast<std::uint64_t>(size) >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) mix((static_cast<std::uint64_t>(alignment) >> (8 * i)) & 0xff);
  return h;
}

template <typename T>
TopicOptions typed_topic_options(std::string type_name, TopicOptions base = {}) {
  static_assert(std::is_trivially_copyable_v<T>, "the bus carries trivially copyable types");
  static_assert(alignof(T) <= 64, "chunks are 64-byte aligned");
  base.type_hash = pod_type_hash(type_name, sizeof(T), alignof(T));
  base.type_name = std::move(type_name);
  base.encoding = "pod";
  base.max_message_size = sizeof(T);
  return base;
}

// A loaned chunk holding a default-constructed T.
template <typename T>
class TypedLoan {
 public:
  T* operator->() const noexcept { return object_; }
  T& operator*() const noexcept { return *object_; }

 private:
  template <typename>
  friend class TypedPublisher;
  explicit TypedLoan(Loan loan) : loan_(std::move(loan)), object_(new (loan_.data().data()) T{}) {}
  Loan loan_;
  T* object_;
};

template <typename T>
class TypedPublisher {
 public:
  static Result<TypedPublisher> create(Node& node, std::string_view topic,
                                       const TopicOptions& options, PublisherOptions pub = {}) {
    AXLE_TRY(Publisher p, node.create_publisher(topic, options, pub));
    return TypedPublisher(std::move(p));
  }
  Result<TypedLoan<T>> loan() {
    AXLE_TRY(Loan l, publisher_.loan());
    return TypedLoan<T>(std::move(l));
  }
  Result<void> publish(TypedLoan<T>&& loan) {
    return publisher_.publish(std::move(loan.loan_), sizeof(T));
  }
  Result<void> publish(const T& value) {
    AXLE_TRY(TypedLoan<T> l, loan());
    *l = value;
    return publish(std::move(l));
  }
  [[nodiscard]] Publisher& untyped() noexcept { return publisher_; }

 private:
  explicit TypedPublisher(Publisher p) : publisher_(std::move(p)) {}
  Publisher publisher_;
};

// A received T, read-only, alive while the sample is.
template <typename T>
class TypedSample {
 public:
  const T* operator->() const noexcept { return object_; }
  const T& operator*() const noexcept { return *object_; }
  [[nodiscard]] const Sample& untyped() const noexcept { return sample_; }

 private:
  template <typename>
  friend class TypedSubscriber;
  explicit TypedSample(Sample s)
      : sample_(std::move(s)),
        object_(std::launder(reinterpret_cast<const T*>(sample_.data().data()))) {}
  Sample sample_;
  const T* object_;
};

template <typename T>
class TypedSubscriber {
 public:
  static Result<TypedSubscriber> create(Node& node, std::string_view topic,
                                        const TopicOptions& options, SubscriberOptions sub = {}) {
    AXLE_TRY(Subscriber s, node.create_subscriber(topic, options, sub));
    return TypedSubscriber(std::move(s));
  }
  Result<TypedSample<T>> take(std::chrono::nanoseconds timeout) {
    AXLE_TRY(Sample s, subscriber_.take(timeout));
    AXLE_RETURN_IF_ERROR(check(s));
    return TypedSample<T>(std::move(s));
  }
  [[nodiscard]] Subscriber& untyped() noexcept { return subscriber_; }

 private:
  explicit TypedSubscriber(Subscriber s) : subscriber_(std::move(s)) {}
  static Result<void> check(const Sample& s) {
    if (s.data().size() != sizeof(T)) {
      return make_error(ErrorCode::kCorrupt, "a typed sample has the wrong size");
    }
    return axle::ok();
  }
  Subscriber subscriber_;
};

}  // namespace axle::bus
