// Whole-op routines on raw buffers that the reference evaluator and the CPU backend share: the
// index walk of scatter and the bit generators of rng-bit-generator (XLA's CPU runtime has such
// library routines too). Each keeps XLA's semantics in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "ir/instruction.h"

namespace hlocc::ir::detail {

/// Calls combine(operand_offset, update_offset), in XLA's order, for every update element of a
/// verified scatter whose window lies inside the operand (windows that leave it are skipped
/// whole). Offsets are row-major element offsets; `indices` is the scatter_indices value.
void for_each_scatter_update(const Instruction& scatter, const Literal& indices,
                             const std::function<void(int64_t, int64_t)>& combine);

/// The bits and the next state of a verified rng-bit-generator: `state` is its u64 operand,
/// `new_state` receives as many words, `bits` the result array's bytes.
void generate_rng_bits(const Instruction& rng, std::span<const uint64_t> state,
                       uint64_t* new_state, std::byte* bits);

}  // namespace hlocc::ir::detail
