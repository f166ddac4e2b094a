// Seeded random Literals for `hlocc run --random` and the fuzzers: the same seed and shape give
// the same values on every machine (SplitMix64, no implementation-defined distributions).
#pragma once

#include <cstdint>

#include "ir/literal.h"

namespace hlocc::tools {

/// Floats (and both parts of complex numbers) uniform in [-1, 1); signed ints in [-5, 5];
/// unsigned ints in [0, 10]; pred true or false with equal odds. Tuples recursively; tokens empty.
ir::Literal random_literal(const ir::Shape& shape, uint64_t seed);

/// An independent seed for item `index` (a parameter, a tuple element) of a run seeded `seed`.
uint64_t derive_seed(uint64_t seed, uint64_t index);

}  // namespace hlocc::tools
