// axle::Result<T>: a value or an axle::Error. [[nodiscard]], so an ignored error is a compile
// warning (an error under -Werror). Result<void> carries only success or an Error.
//
//   axle::Result<int> parse(std::string_view s);
//   auto r = parse("42");
//   if (!r) return r.error();          // propagate
//   int v = *r;
//
// AXLE_TRY(var, expr) unwraps or returns the error from the enclosing function.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "axle/core/error.hpp"

namespace axle {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const { assert(ok_); }

  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

// Success value for Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace axle

#define AXLE_CONCAT_INNER_(a, b) a##b
#define AXLE_CONCAT_(a, b) AXLE_CONCAT_INNER_(a, b)

// Evaluates a Result<void> expression and returns its error from the enclosing function.
#define AXLE_RETURN_IF_ERROR(expr)                                  \
  do {                                                              \
    auto axle_status_ = (expr);                                     \
    if (!axle_status_.ok()) return std::move(axle_status_).error(); \
  } while (0)

// AXLE_TRY(auto x, expr): declares x from a Result's value, or returns its error.
#define AXLE_TRY(decl, expr) AXLE_TRY_IMPL_(AXLE_CONCAT_(axle_try_, __LINE__), decl, expr)
#define AXLE_TRY_IMPL_(tmp, decl, expr)         \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
