// Sequential schedules of one computation for the CPU executor, which runs instructions in this
// order and keeps every computed array in one arena: the order decides how many bytes live at once.
// Every schedule lists each instruction once, operands before users.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/computation.h"

namespace hlocc::passes {

/// An order of `computation`'s instructions (operands before users) that keeps the peak of live
/// bytes low: the best, by simulated peak, of a list scheduler that prefers instructions which
/// free more bytes than they allocate, a DFS post-order that finishes the heavier operand first
/// (as XLA's DFS scheduler), and program order. Ties go to that order of preference.
std::vector<const ir::Instruction*> schedule_for_memory(const ir::Computation& computation);

/// The instructions in definition order: the order the text lists them.
std::vector<const ir::Instruction*> program_order(const ir::Computation& computation);

/// The most bytes of computed arrays (parameters and constants excluded; views share their
/// operand's bytes) live at once when `schedule` runs, without any in-place reuse.
int64_t simulated_peak_bytes(const ir::Computation& computation,
                             std::span<const ir::Instruction* const> schedule);

}  // namespace hlocc::passes
