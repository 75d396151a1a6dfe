#pragma once
// The one error model: expected failures are values. Exceptions are caught only at the request
// handler, the coroutine spawn and main. Canonical codes map to HTTP status once, in the gateway.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sentinel {

/// Canonical failure categories. The gateway maps each to one HTTP status.
enum class ErrorCode {
  kInvalidArgument,   // 400: malformed or invalid input
  kUnauthenticated,   // 401: no or bad credentials
  kPermissionDenied,  // 403: authenticated but not allowed
  kNotFound,          // 404
  kConflict,          // 409: already exists, concurrent change
  kPayloadTooLarge,   // 413
  kRateLimited,       // 429: throttled or locked out
  kUnavailable,       // 503: dependency down, shutting down
  kInternal,          // 500: a bug or an unexpected I/O failure
};

/// Canonical snake_case name of a code ("invalid_argument", ...), used in JSON errors.
std::string_view to_string(ErrorCode code);

/// An expected failure. `reason` refines the code for clients (JSON `error.code`, e.g.
/// "totp_required"); when empty the canonical name is used. `field` names the input field at
/// fault so that the portal can show the message next to it.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string reason;
  std::string field;

  /// The client-facing code: `reason` if set, else the canonical name.
  std::string_view client_code() const { return reason.empty() ? to_string(code) : reason; }
};

inline Error invalid_argument(std::string message, std::string field = {}) {
  return {ErrorCode::kInvalidArgument, std::move(message), {}, std::move(field)};
}
inline Error unauthenticated(std::string message, std::string reason = {}) {
  return {ErrorCode::kUnauthenticated, std::move(message), std::move(reason), {}};
}
inline Error permission_denied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message), {}, {}};
}
inline Error not_found(std::string message) {
  return {ErrorCode::kNotFound, std::move(message), {}, {}};
}
inline Error conflict(std::string message, std::string field = {}) {
  return {ErrorCode::kConflict, std::move(message), {}, std::move(field)};
}
inline Error rate_limited(std::string message) {
  return {ErrorCode::kRateLimited, std::move(message), {}, {}};
}
inline Error unavailable(std::string message) {
  return {ErrorCode::kUnavailable, std::move(message), {}, {}};
}
inline Error internal_error(std::string message) {
  return {ErrorCode::kInternal, std::move(message), {}, {}};
}

/// A value or an Error; the subset of std::expected that we use (clang 14 lacks <expected>).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const& {
    assert(failed_);
    return error_;
  }
  Error&& error() && {
    assert(failed_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

inline Status ok() { return {}; }

}  // namespace sentinel

/// Evaluates a Result-returning expression; returns its Error from the enclosing function on
/// failure.
#define SENTINEL_TRY(expr)                                                     \
  do {                                                                         \
    auto&& sentinel_try_result_ = (expr);                                      \
    if (!sentinel_try_result_) return std::move(sentinel_try_result_).error(); \
  } while (false)

/// Declares `var` from a Result-returning expression, or returns its Error.
#define SENTINEL_ASSIGN(var, expr)                             \
  auto var##_result_ = (expr);                                 \
  if (!var##_result_) return std::move(var##_result_).error(); \
  auto var = std::move(var##_result_).value()
