// The "peak bytes" line of `hlocc stats`: how big the CPU executor's arena gets for a module's
// entry computation, next to the bound that the compiler aims for.
#pragma once

#include <string>

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::tools {

/// Assigns the entry computation's buffers (memory-aware schedule, elementwise ops in place) and
/// reports the arena size, the bytes live at once (its lower bound on that schedule) and the
/// bound: the largest input + output of any one instruction plus all parameters (the weights).
Result<std::string> peak_bytes_line(const ir::Module& module);

}  // namespace hlocc::tools
