// Errors of the nn library in the house format: "<fn>: <what>; got <values>", the caller's
// location, and an optional hint. (src/nn sees only the public API, not src/trace's helpers.)
#pragma once

#include <string>

#include "hlocc/error.h"
#include "hlocc/where.h"

namespace hlocc::nn::detail {

[[noreturn]] inline void throw_nn_error(const std::string& message, const Where& where,
                                        const std::string& hint = "") {
  throw Error(message + "\n  at " + where.file_name() + ":" + std::to_string(where.line()) +
              " in " + where.function_name() + (hint.empty() ? "" : "\n  hint: " + hint));
}

}  // namespace hlocc::nn::detail
