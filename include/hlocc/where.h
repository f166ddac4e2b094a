/// Where: a place in the user's source, captured by a defaulted parameter (`Where where =
/// Where::current()`), so that trace-time errors point at the user's line. std::source_location
/// would do, but clang 14 with libstdc++ 12 lacks it; these builtins exist in both compilers.
#pragma once

#include <cstdint>

namespace hlocc {

class Where {
 public:
  static constexpr Where current(const char* file = __builtin_FILE(), int line = __builtin_LINE(),
                                 const char* function = __builtin_FUNCTION()) {
    return Where(file, line, function);
  }
  constexpr const char* file_name() const { return file_; }
  constexpr int64_t line() const { return line_; }
  constexpr const char* function_name() const { return function_; }

 private:
  constexpr Where(const char* file, int line, const char* function)
      : file_(file), line_(line), function_(function) {}
  const char* file_;
  int64_t line_;
  const char* function_;
};

}  // namespace hlocc
