/// hlocc::Error: what every user-facing failure is. The compiler passes it inside Result<T>; the
/// public API throws it. Its message says what is wrong, where, and how to fix it.
#pragma once

#include <stdexcept>
#include <string>

namespace hlocc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  std::string message() const { return what(); }
};

}  // namespace hlocc
