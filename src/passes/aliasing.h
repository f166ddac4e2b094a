// Which array values of one computation share bytes, and how long those bytes live on a schedule.
// Shared by the scheduler (to simulate peaks) and buffer assignment (to place buffers). A value is
// one array leaf of an instruction's result; a buffer is the value that defines its bytes; views
// (get-tuple-element, tuple, opt-barrier, bitcast or reshape between row-major arrays) define none.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "ir/computation.h"

namespace hlocc::passes {

/// A value: an array produced by an instruction; tuple-shaped results have one value per leaf,
/// addressed by its tuple index path ({} for an array-shaped result).
struct ValueId {
  const ir::Instruction* instruction = nullptr;
  std::vector<int64_t> tuple_index;
  bool operator==(const ValueId&) const = default;
};

/// True when `instruction` only gives its operands' bytes another name and computes nothing.
bool is_view(const ir::Instruction& instruction);

/// The index paths of a shape's array (and token) leaves, in the order the printer lists them.
std::vector<std::vector<int64_t>> leaf_indices(const ir::Shape& shape);
/// The position in leaf_indices(shape) of the leaf at `tuple_index`, which must name a leaf.
int64_t leaf_ordinal(const ir::Shape& shape, std::span<const int64_t> tuple_index);

/// Where a buffer's bytes come from.
enum class BufferOrigin { Computed, Parameter, Constant };

/// A value that owns bytes (its own, not an operand's).
struct LogicalBuffer {
  ValueId value;
  int64_t size = 0;
  BufferOrigin origin = BufferOrigin::Computed;
};

/// The buffer behind every value of one computation, found by following views to their source.
class BufferAliases {
 public:
  explicit BufferAliases(const ir::Computation& computation);

  const ir::Computation& computation() const { return *computation_; }
  const std::vector<LogicalBuffer>& buffers() const { return buffers_; }
  /// The buffer ids of `instruction`'s leaves, in leaf_indices order.
  std::span<const int64_t> leaf_buffers(const ir::Instruction& instruction) const;
  /// The buffer id of one leaf, by its tuple index path.
  int64_t buffer_at(const ir::Instruction& instruction, std::span<const int64_t> tuple_index) const;
  /// The distinct buffers `instruction` reads when it runs: none for views and leaves.
  std::vector<int64_t> buffers_read(const ir::Instruction& instruction) const;
  /// The buffers whose bytes leave the computation through its root.
  const std::vector<int64_t>& live_out() const { return live_out_; }

 private:
  std::vector<int64_t> view_leaves(const ir::Instruction& instruction) const;
  std::vector<int64_t> defined_leaves(const ir::Instruction& instruction);

  const ir::Computation* computation_;
  std::vector<LogicalBuffer> buffers_;
  std::vector<std::vector<int64_t>> leaf_buffers_;  // by instruction position in the computation
  std::vector<int64_t> live_out_;
  std::unordered_map<const ir::Instruction*, int64_t> position_;  // in the computation
};

/// Steps [start, end] of a schedule during which a buffer's bytes must exist (both ends included:
/// an instruction's operands and result exist together while it runs).
struct LiveRange {
  int64_t start = 0;
  int64_t end = 0;
  bool overlaps(const LiveRange& other) const { return start <= other.end && other.start <= end; }
};

/// The live range of every buffer on `schedule` (every instruction of the computation once,
/// operands first): from its definition to its last reader; root buffers live to the last step.
std::vector<LiveRange> live_ranges(const BufferAliases& aliases,
                                   std::span<const ir::Instruction* const> schedule);

/// The bytes each buffer takes in the arena, rounded up to `alignment`: 0 for parameters and
/// constants, which live elsewhere.
std::vector<int64_t> arena_sizes(const BufferAliases& aliases, int64_t alignment);

/// The most bytes live at any one step: the sum of sizes[i] over the ranges[i] that hold that step.
int64_t peak_live_bytes(std::span<const LiveRange> ranges, std::span<const int64_t> sizes);

/// `bytes` rounded up to a multiple of `alignment`.
inline int64_t align_up(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

}  // namespace hlocc::passes
