// axle's single error model: every fallible public API returns axle::Result<T>.
//
// An Error is a code (what kind of failure, stable across versions, mapped to exit codes by the
// CLI) and a one-line message that says what failed and what to do. Messages never hold secrets.
// No exception crosses a public API: exceptions of third-party libraries are caught at the
// boundary and turned into Errors.
#pragma once

#include <string>
#include <string_view>

namespace axle {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed a malformed or out-of-range value
  kNotFound,            // a file, key or object does not exist
  kAlreadyExists,       // creating something that is already there
  kPermissionDenied,    // the OS or a policy refused access
  kIo,                  // reading or writing a file or socket failed
  kCorrupt,             // stored or received data fails its own integrity rules
  kUnsupported,         // the algorithm or feature is not available here (e.g. FIPS policy)
  kVerificationFailed,  // a signature, MAC, tag or certificate chain did not verify
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kTimeout,             // a bounded wait ran out
  kInternal,            // a bug or an unexpected failure of a library underneath
};

// Stable lower-case name of a code, e.g. "invalid_argument"; used in --json output.
std::string_view error_code_name(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "invalid_argument: <message>"
  [[nodiscard]] std::string to_string() const;
};

// Builds an Error; `message` should say what failed and what to do about it.
[[nodiscard]] inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace axle
