// The backends traced programs run on, by name, created once per process (the CPU backend keeps
// its compiled-executable cache and oneDNN's autotuning choices for the process's lifetime).
#pragma once

#include <string>

#include "runtime/executable.h"

namespace hlocc::tracing {

/// The backend called `name` ("cpu" or "reference"); throws hlocc::Error for others.
runtime::Backend& backend_named(const std::string& name);

}  // namespace hlocc::tracing
