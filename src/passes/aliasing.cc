#include "passes/aliasing.h"

#include <algorithm>

#include "ir/check.h"

namespace hlocc::passes {
namespace {

bool is_row_major(const ir::Shape& shape) {
  const std::vector<int64_t> order = shape.major_to_minor();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

void collect_leaves(const ir::Shape& shape, std::vector<int64_t>& prefix,
                    std::vector<std::vector<int64_t>>& leaves) {
  if (!shape.is_tuple()) {
    leaves.push_back(prefix);
    return;
  }
  for (int64_t i = 0; i < shape.tuple_size(); ++i) {
    prefix.push_back(i);
    collect_leaves(shape.tuple_shape(i), prefix, leaves);
    prefix.pop_back();
  }
}

int64_t leaf_count(const ir::Shape& shape) {
  if (!shape.is_tuple()) return 1;
  int64_t count = 0;
  for (const ir::Shape& element : shape.tuple_shapes()) count += leaf_count(element);
  return count;
}

const ir::Shape& leaf_shape(const ir::Shape& shape, std::span<const int64_t> tuple_index) {
  const ir::Shape* current = &shape;
  for (const int64_t i : tuple_index) current = &current->tuple_shape(i);
  return *current;
}

BufferOrigin origin_of(const ir::Instruction& instruction) {
  if (instruction.op() == ir::Op::Parameter) return BufferOrigin::Parameter;
  if (instruction.op() == ir::Op::Constant) return BufferOrigin::Constant;
  return BufferOrigin::Computed;
}

}  // namespace

bool is_view(const ir::Instruction& instruction) {
  const ir::Op op = instruction.op();
  if (op == ir::Op::Reshape || op == ir::Op::Bitcast) {
    // Arrays are stored row-major: between row-major layouts every element keeps its byte
    // offset; a layout-changing bitcast or reshape moves elements, so it computes a copy.
    return is_row_major(instruction.shape()) && is_row_major(instruction.operand(0)->shape());
  }
  return op == ir::Op::GetTupleElement || op == ir::Op::Tuple || op == ir::Op::OptimizationBarrier;
}

std::vector<std::vector<int64_t>> leaf_indices(const ir::Shape& shape) {
  std::vector<std::vector<int64_t>> leaves;
  std::vector<int64_t> prefix;
  collect_leaves(shape, prefix, leaves);
  return leaves;
}

int64_t leaf_ordinal(const ir::Shape& shape, std::span<const int64_t> tuple_index) {
  const ir::Shape* current = &shape;
  int64_t ordinal = 0;
  for (const int64_t i : tuple_index) {
    HLOCC_CHECK(current->is_tuple() && i >= 0 && i < current->tuple_size())
        << "tuple index out of range for " << shape.to_string();
    for (int64_t j = 0; j < i; ++j) ordinal += leaf_count(current->tuple_shape(j));
    current = &current->tuple_shape(i);
  }
  HLOCC_CHECK(!current->is_tuple())
      << "tuple index names a tuple, not a leaf, of " << shape.to_string();
  return ordinal;
}

BufferAliases::BufferAliases(const ir::Computation& computation) : computation_(&computation) {
  for (const auto& instruction : computation.instructions()) {
    const ir::Instruction& inst = *instruction;
    position_.emplace(&inst, static_cast<int64_t>(leaf_buffers_.size()));
    leaf_buffers_.push_back(is_view(inst) ? view_leaves(inst) : defined_leaves(inst));
  }
  for (const int64_t buffer : leaf_buffers(*computation.root())) {
    if (std::find(live_out_.begin(), live_out_.end(), buffer) == live_out_.end()) {
      live_out_.push_back(buffer);
    }
  }
}

std::vector<int64_t> BufferAliases::view_leaves(const ir::Instruction& instruction) const {
  if (instruction.op() == ir::Op::Tuple) {
    std::vector<int64_t> leaves;
    for (const ir::Instruction* operand : instruction.operands()) {
      const std::span<const int64_t> operand_leaves = leaf_buffers(*operand);
      leaves.insert(leaves.end(), operand_leaves.begin(), operand_leaves.end());
    }
    return leaves;
  }
  const ir::Instruction& operand = *instruction.operand(0);
  const std::span<const int64_t> operand_leaves = leaf_buffers(operand);
  if (instruction.op() != ir::Op::GetTupleElement) {
    return {operand_leaves.begin(), operand_leaves.end()};
  }
  // get-tuple-element(t), index=i: the leaves of element i, which sit after those of 0..i-1.
  const int64_t index = *instruction.attrs().get<int64_t>("index");
  int64_t first = 0;
  for (int64_t j = 0; j < index; ++j) first += leaf_count(operand.shape().tuple_shape(j));
  const int64_t count = leaf_count(operand.shape().tuple_shape(index));
  return {operand_leaves.begin() + first, operand_leaves.begin() + first + count};
}

std::vector<int64_t> BufferAliases::defined_leaves(const ir::Instruction& instruction) {
  std::vector<int64_t> leaves;
  for (std::vector<int64_t>& index : leaf_indices(instruction.shape())) {
    const int64_t size = leaf_shape(instruction.shape(), index).byte_size();
    leaves.push_back(static_cast<int64_t>(buffers_.size()));
    buffers_.push_back({{&instruction, std::move(index)}, size, origin_of(instruction)});
  }
  return leaves;
}

std::span<const int64_t> BufferAliases::leaf_buffers(const ir::Instruction& instruction) const {
  const auto it = position_.find(&instruction);
  HLOCC_CHECK(it != position_.end())
      << "instruction %" << instruction.name() << " is not in " << computation_->name();
  return leaf_buffers_[static_cast<size_t>(it->second)];
}

int64_t BufferAliases::buffer_at(const ir::Instruction& instruction,
                                 std::span<const int64_t> tuple_index) const {
  const int64_t ordinal = leaf_ordinal(instruction.shape(), tuple_index);
  return leaf_buffers(instruction)[static_cast<size_t>(ordinal)];
}

std::vector<int64_t> BufferAliases::buffers_read(const ir::Instruction& instruction) const {
  std::vector<int64_t> read;
  if (is_view(instruction)) return read;
  for (const ir::Instruction* operand : instruction.operands()) {
    for (const int64_t buffer : leaf_buffers(*operand)) {
      if (std::find(read.begin(), read.end(), buffer) == read.end()) read.push_back(buffer);
    }
  }
  return read;
}

std::vector<LiveRange> live_ranges(const BufferAliases& aliases,
                                   std::span<const ir::Instruction* const> schedule) {
  std::unordered_map<const ir::Instruction*, int64_t> step_of;
  for (size_t step = 0; step < schedule.size(); ++step) {
    step_of.emplace(schedule[step], static_cast<int64_t>(step));
  }
  std::vector<LiveRange> ranges;
  for (const LogicalBuffer& buffer : aliases.buffers()) {
    const auto it = step_of.find(buffer.value.instruction);
    HLOCC_CHECK(it != step_of.end()) << "the schedule lacks %" << buffer.value.instruction->name();
    ranges.push_back({it->second, it->second});
  }
  for (size_t step = 0; step < schedule.size(); ++step) {
    for (const int64_t buffer : aliases.buffers_read(*schedule[step])) {
      LiveRange& range = ranges[static_cast<size_t>(buffer)];
      HLOCC_CHECK(range.start < static_cast<int64_t>(step))
          << "%" << schedule[step]->name() << " is scheduled before one of its operands";
      range.end = std::max(range.end, static_cast<int64_t>(step));
    }
  }
  const int64_t last_step = static_cast<int64_t>(schedule.size()) - 1;
  for (const int64_t buffer : aliases.live_out())
    ranges[static_cast<size_t>(buffer)].end = last_step;
  return ranges;
}

std::vector<int64_t> arena_sizes(const BufferAliases& aliases, int64_t alignment) {
  std::vector<int64_t> sizes;
  for (const LogicalBuffer& buffer : aliases.buffers()) {
    const bool in_arena = buffer.origin == BufferOrigin::Computed;
    sizes.push_back(in_arena ? align_up(buffer.size, alignment) : 0);
  }
  return sizes;
}

int64_t peak_live_bytes(std::span<const LiveRange> ranges, std::span<const int64_t> sizes) {
  // +size when a range opens, -size just after it closes; the running sum's maximum is the peak.
  int64_t steps = 0;
  for (const LiveRange& range : ranges) steps = std::max(steps, range.end + 2);
  std::vector<int64_t> delta(static_cast<size_t>(steps), 0);
  for (size_t i = 0; i < ranges.size(); ++i) {
    delta[static_cast<size_t>(ranges[i].start)] += sizes[i];
    delta[static_cast<size_t>(ranges[i].end + 1)] -= sizes[i];
  }
  int64_t live = 0;
  int64_t peak = 0;
  for (const int64_t change : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return peak;
}

}  // namespace hlocc::passes
