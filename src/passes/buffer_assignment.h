// Buffer assignment for one computation: a schedule, and for every array value where its bytes
// live (an arena offset, an entry parameter or a constant). Values whose live ranges on the
// schedule overlap never share arena bytes, except a result written in place over an operand
// that dies at it, when the backend allows it. Nested computations get their own call.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/computation.h"
#include "ir/result.h"
#include "passes/aliasing.h"

namespace hlocc::passes {

/// Where one array value's bytes live.
struct BufferSlot {
  enum class Kind { Arena, Parameter, Constant };
  Kind kind = Kind::Arena;
  int64_t offset = 0;      // Arena: the value is bytes [offset, offset + size) of the arena
  int64_t size = 0;        // the value's byte size, whatever the kind
  int64_t parameter = -1;  // Parameter: the computation's parameter number
  const ir::Instruction* constant = nullptr;  // Constant: the constant instruction
  std::vector<int64_t> index;  // Parameter, Constant: the leaf within that parameter or constant
  /// The instruction computes nothing for this value: it names bytes of one of its operands
  /// (get-tuple-element, tuple, opt-barrier, bitcast or reshape between row-major arrays).
  bool view = false;
  /// >= 0 when the value is written in place over the bytes of this operand (which dies here).
  int64_t reused_operand = -1;
};

struct BufferAssignmentOptions {
  /// The backend says when `user` may write its result into the buffer of operand `operand`
  /// (in place), provided that operand's bytes die at `user`: e.g. elementwise loops of the same
  /// shape and dtype, dynamic-update-slice into its operand 0. Unset: never. For a tuple-shaped
  /// result (while, say), leaf i may take the bytes of the operand's leaf i of the same size.
  std::function<bool(const ir::Instruction& user, int64_t operand)> may_reuse_operand_buffer = {};
  /// Every arena offset is a multiple of this, and sizes are rounded up to it.
  int64_t alignment = 64;
};

/// A ready-made may_reuse_operand_buffer for loops that read each operand element only at the
/// position they write: elementwise ops and fusions (through elementwise ops only, as far as
/// that operand goes) whose operand has the result's shape and dtype, and dynamic-update-slice
/// into its operand 0.
bool elementwise_may_reuse_operand(const ir::Instruction& user, int64_t operand);

struct BufferAssignment {
  const ir::Computation* computation = nullptr;
  std::vector<const ir::Instruction*> schedule;
  /// Slots of every instruction's array leaves, in leaf_indices order.
  std::unordered_map<const ir::Instruction*, std::vector<BufferSlot>> slots;
  int64_t arena_bytes = 0;     // the arena's size: the top of the highest placed buffer
  int64_t min_live_bytes = 0;  // lower bound: the most (aligned) arena bytes live at one step

  /// The slot of the leaf of `inst`'s result at `tuple_index` ({} for an array result).
  const BufferSlot& slot(const ir::Instruction& inst,
                         std::span<const int64_t> tuple_index = {}) const;
  /// One line per scheduled instruction: step, name, shape and where each leaf lives. For
  /// HLOCC_DUMP (<n>.buffer_assignment.txt) and for people.
  std::string to_string() const;
};

/// Schedules `computation` (schedule_for_memory) and assigns its buffers.
Result<BufferAssignment> assign_buffers(const ir::Computation& computation,
                                        const BufferAssignmentOptions& options);
/// The same on a given schedule (every instruction once, operands before users).
Result<BufferAssignment> assign_buffers(const ir::Computation& computation,
                                        std::vector<const ir::Instruction*> schedule,
                                        const BufferAssignmentOptions& options);

}  // namespace hlocc::passes
