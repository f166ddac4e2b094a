// Where traced programs (jit, Module::run) run: the CPU compiler, or the reference evaluator (the
// oracle: slow, obviously correct). Eager operations outside a trace always use the evaluator.
#pragma once

#include <string>
#include <string_view>

namespace hlocc {

/// "cpu" or "reference". The default is "cpu"; the environment variable HLOCC_BACKEND sets it at
/// start-up. Throws hlocc::Error for other names.
void set_default_backend(std::string_view name);
std::string default_backend();

}  // namespace hlocc
