// Error and Result<T>: how user errors travel inside the compiler (STYLE.md section 4).
// An Error carries one human-readable message; Result<T> holds either a value or an Error.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "hlocc/error.h"

namespace hlocc {

/// Either a value of type T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status(); }

}  // namespace hlocc

#define HLOCC_CONCAT_INNER(a, b) a##b
#define HLOCC_CONCAT(a, b) HLOCC_CONCAT_INNER(a, b)

/// Propagates an error: `HLOCC_TRY(auto x, compute());` or `HLOCC_TRY_STATUS(check());`.
#define HLOCC_TRY(decl, expr) HLOCC_TRY_IMPL(HLOCC_CONCAT(hlocc_result_, __LINE__), decl, expr)
#define HLOCC_TRY_IMPL(tmp, decl, expr)   \
  auto tmp = (expr);                      \
  if (!tmp.ok()) return tmp.error();      \
  decl = std::move(tmp).value()
#define HLOCC_TRY_STATUS(expr)                                                  \
  do {                                                                          \
    auto hlocc_status_ = (expr);                                                \
    if (!hlocc_status_.ok()) return hlocc_status_.error();                      \
  } while (false)
