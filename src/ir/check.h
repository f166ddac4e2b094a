// HLOCC_CHECK: invariant checks for compiler bugs (never for user errors, which are Results).
// On failure it prints file:line, the condition and any streamed context, then aborts.
#pragma once

#include <sstream>

namespace hlocc::detail {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <class T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace hlocc::detail

#define HLOCC_CHECK(cond) \
  if (cond) {             \
  } else                  \
    ::hlocc::detail::CheckFailure(__FILE__, __LINE__, #cond)
