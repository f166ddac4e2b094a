#include "passes/buffer_assignment.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <sstream>
#include <unordered_set>

#include "ir/check.h"
#include "passes/schedule.h"

namespace hlocc::passes {
namespace {

// Arena bytes shared by one or more buffers: a buffer and the results written in place over it.
struct Allocation {
  LiveRange live;
  int64_t size = 0;  // aligned
  int64_t offset = 0;
  bool live_out = false;
};

// A schedule lists every instruction of the computation once, each after its operands.
Status check_schedule(const ir::Computation& computation,
                      std::span<const ir::Instruction* const> schedule) {
  std::unordered_set<const ir::Instruction*> done;
  for (const ir::Instruction* inst : schedule) {
    if (inst->parent() != &computation || done.contains(inst)) {
      return Error("buffer assignment: the schedule of " + computation.name() + " lists %" +
                   inst->name() + " twice or from another computation");
    }
    for (const ir::Instruction* operand : inst->operands()) {
      if (!done.contains(operand)) {
        return Error("buffer assignment: the schedule of " + computation.name() + " runs %" +
                     inst->name() + " before its operand %" + operand->name());
      }
    }
    done.insert(inst);
  }
  if (static_cast<int64_t>(done.size()) != computation.instruction_count()) {
    return Error("buffer assignment: the schedule of " + computation.name() + " has " +
                 std::to_string(done.size()) + " of its " +
                 std::to_string(computation.instruction_count()) + " instructions");
  }
  return ok_status();
}

// The buffer of `operand`'s leaf at `tuple_index`, or -1 when the operand has no such leaf.
int64_t operand_leaf_buffer(const BufferAliases& aliases, const ir::Instruction& operand,
                            std::span<const int64_t> tuple_index) {
  const ir::Shape* shape = &operand.shape();
  for (const int64_t i : tuple_index) {
    if (!shape->is_tuple() || i >= shape->tuple_size()) return -1;
    shape = &shape->tuple_shape(i);
  }
  return shape->is_tuple() ? -1 : aliases.buffer_at(operand, tuple_index);
}

// Decides in-place reuse, walking the schedule in order so that each allocation's live range is
// final up to the step being decided.
class InPlacePlanner {
 public:
  InPlacePlanner(const BufferAliases& aliases, std::span<const LiveRange> ranges,
                 const BufferAssignmentOptions& options)
      : aliases_(aliases), ranges_(ranges), options_(options) {
    for (size_t b = 0; b < ranges.size(); ++b) {
      allocation_of_.push_back(static_cast<int64_t>(b));
      allocation_end_.push_back(ranges[b].end);
      allocation_live_out_.push_back(false);
    }
    for (const int64_t buffer : aliases.live_out()) allocation_live_out_[buffer] = true;
  }

  void plan(const ir::Instruction& inst, int64_t step) {
    if (!options_.may_reuse_operand_buffer || is_view(inst)) return;
    const std::vector<std::vector<int64_t>> leaves = leaf_indices(inst.shape());
    std::vector<int64_t> taken;  // allocations already reused by an earlier leaf of inst
    for (size_t k = 0; k < leaves.size(); ++k) {
      const int64_t buffer = aliases_.leaf_buffers(inst)[k];
      if (aliases_.buffers()[buffer].origin != BufferOrigin::Computed) return;
      for (int64_t i = 0; i < inst.operand_count(); ++i) {
        const int64_t target = reusable(inst, i, leaves[k], step);
        if (target < 0 || std::find(taken.begin(), taken.end(), target) != taken.end()) continue;
        taken.push_back(target);
        allocation_of_[buffer] = target;
        allocation_end_[target] = std::max(allocation_end_[target], ranges_[buffer].end);
        allocation_live_out_[target] = allocation_live_out_[buffer];
        reused_operand_.emplace(buffer, i);
        break;
      }
    }
  }

  /// The buffer whose bytes `buffer` occupies (itself unless it was written in place).
  int64_t allocation_of(int64_t buffer) const { return allocation_of_[buffer]; }
  /// The operand whose bytes `buffer` overwrites, or -1.
  int64_t reused_operand(int64_t buffer) const {
    const auto it = reused_operand_.find(buffer);
    return it == reused_operand_.end() ? -1 : it->second;
  }

 private:
  // The allocation under operand i's leaf at `tuple_index` if inst may overwrite it: computed,
  // of the result leaf's size, not live out, read by nothing after this step, and reached by no
  // other operand of inst (which could read bytes already overwritten).
  int64_t reusable(const ir::Instruction& inst, int64_t i, std::span<const int64_t> tuple_index,
                   int64_t step) const {
    const ir::Instruction& operand = *inst.operand(i);
    const int64_t source = operand_leaf_buffer(aliases_, operand, tuple_index);
    if (source < 0) return -1;
    const LogicalBuffer& buffer = aliases_.buffers()[source];
    const int64_t result = aliases_.buffer_at(inst, tuple_index);
    if (buffer.origin != BufferOrigin::Computed || buffer.size == 0 ||
        buffer.size != aliases_.buffers()[result].size) {
      return -1;
    }
    const int64_t target = allocation_of_[source];
    if (allocation_end_[target] != step || allocation_live_out_[target]) return -1;
    const std::span<const int64_t> reused_leaves = aliases_.leaf_buffers(operand);
    const auto same_leaf = [&](int64_t leaf) { return leaf == source; };
    if (std::count_if(reused_leaves.begin(), reused_leaves.end(), same_leaf) != 1) return -1;
    // The same operand at several positions (add(x, x)) must be safe to overwrite at each.
    for (int64_t j = 0; j < inst.operand_count(); ++j) {
      const ir::Instruction* other = inst.operand(j);
      if (other == &operand && !options_.may_reuse_operand_buffer(inst, j)) return -1;
      if (other == &operand) continue;
      for (const int64_t leaf : aliases_.leaf_buffers(*other)) {
        if (allocation_of_[leaf] == target) return -1;
      }
    }
    return target;
  }

  const BufferAliases& aliases_;
  std::span<const LiveRange> ranges_;
  const BufferAssignmentOptions& options_;
  std::vector<int64_t> allocation_of_;   // by buffer
  std::vector<int64_t> allocation_end_;  // by allocation (its first buffer's id)
  std::vector<bool> allocation_live_out_;
  std::unordered_map<int64_t, int64_t> reused_operand_;  // by buffer written in place
};

// Places allocations in `order`, each at the smallest gap between the allocations already placed
// whose live ranges overlap its own, or above them all when no gap fits (best fit, as XLA's heap
// simulator). Returns the arena size.
int64_t place(std::vector<Allocation>& allocations, std::span<const size_t> order) {
  std::vector<size_t> placed;  // sorted by offset, so the gaps come out in order
  int64_t arena = 0;
  for (const size_t a : order) {
    Allocation& allocation = allocations[a];
    int64_t best = -1;
    int64_t best_gap = std::numeric_limits<int64_t>::max();
    int64_t cursor = 0;  // the top of the overlapping allocations seen so far
    for (const size_t p : placed) {
      const Allocation& other = allocations[p];
      if (!other.live.overlaps(allocation.live)) continue;
      const int64_t gap = other.offset - cursor;
      if (gap >= allocation.size && gap < best_gap) {
        best = cursor;
        best_gap = gap;
      }
      cursor = std::max(cursor, other.offset + other.size);
    }
    allocation.offset = best >= 0 ? best : cursor;
    arena = std::max(arena, allocation.offset + allocation.size);
    const auto position =
        std::upper_bound(placed.begin(), placed.end(), allocation.offset,
                         [&](int64_t offset, size_t p) { return offset < allocations[p].offset; });
    placed.insert(position, a);
  }
  return arena;
}

// Tries two orders (largest first, as XLA; and by start step, as a plain allocator would see
// them) and keeps the smaller arena.
int64_t pack(std::vector<Allocation>& allocations) {
  std::vector<size_t> by_size(allocations.size());
  std::iota(by_size.begin(), by_size.end(), size_t{0});
  std::vector<size_t> by_start = by_size;
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) {
    const Allocation& x = allocations[a];
    const Allocation& y = allocations[b];
    if (x.size != y.size) return x.size > y.size;
    return x.live.end - x.live.start > y.live.end - y.live.start;
  });
  std::stable_sort(by_start.begin(), by_start.end(), [&](size_t a, size_t b) {
    return allocations[a].live.start < allocations[b].live.start;
  });
  std::vector<Allocation> first_fit = allocations;
  const int64_t by_size_arena = place(allocations, by_size);
  const int64_t by_start_arena = place(first_fit, by_start);
  if (by_start_arena >= by_size_arena) return by_size_arena;
  allocations = std::move(first_fit);
  return by_start_arena;
}

// The allocations after in-place reuse, and which one holds each buffer (-1: none, for
// parameters, constants and empty arrays).
struct Allocations {
  std::vector<Allocation> list;
  std::vector<int64_t> of_buffer;
};

Allocations gather_allocations(const BufferAliases& aliases, std::span<const LiveRange> ranges,
                               const InPlacePlanner& planner, int64_t alignment) {
  Allocations allocations;
  std::unordered_map<int64_t, int64_t> index_of;  // by the buffer an allocation started with
  for (size_t b = 0; b < ranges.size(); ++b) {
    const LogicalBuffer& buffer = aliases.buffers()[b];
    allocations.of_buffer.push_back(-1);
    if (buffer.origin != BufferOrigin::Computed || buffer.size == 0) continue;
    const auto [it, inserted] =
        index_of.emplace(planner.allocation_of(static_cast<int64_t>(b)), allocations.list.size());
    if (inserted) allocations.list.push_back({ranges[b], align_up(buffer.size, alignment)});
    Allocation& allocation = allocations.list[static_cast<size_t>(it->second)];
    allocation.live.start = std::min(allocation.live.start, ranges[b].start);
    allocation.live.end = std::max(allocation.live.end, ranges[b].end);
    allocations.of_buffer.back() = it->second;
  }
  return allocations;
}

BufferSlot make_slot(const LogicalBuffer& buffer, const Allocations& allocations, int64_t id) {
  BufferSlot slot;
  slot.size = buffer.size;
  const ir::Instruction& source = *buffer.value.instruction;
  if (buffer.origin == BufferOrigin::Parameter) {
    slot.kind = BufferSlot::Kind::Parameter;
    slot.parameter = source.parameter_number();
    slot.index = buffer.value.tuple_index;
  } else if (buffer.origin == BufferOrigin::Constant) {
    slot.kind = BufferSlot::Kind::Constant;
    slot.constant = &source;
    slot.index = buffer.value.tuple_index;
  } else if (const int64_t a = allocations.of_buffer[static_cast<size_t>(id)]; a >= 0) {
    slot.offset = allocations.list[static_cast<size_t>(a)].offset;
  }
  return slot;
}

void fill_slots(BufferAssignment& assignment, const BufferAliases& aliases,
                const Allocations& allocations, const InPlacePlanner& planner) {
  for (const ir::Instruction* inst : assignment.schedule) {
    std::vector<BufferSlot>& slots = assignment.slots[inst];
    for (const int64_t b : aliases.leaf_buffers(*inst)) {
      slots.push_back(make_slot(aliases.buffers()[static_cast<size_t>(b)], allocations, b));
      slots.back().view = is_view(*inst);
      if (!slots.back().view) slots.back().reused_operand = planner.reused_operand(b);
    }
  }
}

std::string describe(const BufferSlot& slot) {
  std::ostringstream text;
  const std::string index = slot.index.empty() ? "" : " {" + ir::join_ints(slot.index) + "}";
  switch (slot.kind) {
    case BufferSlot::Kind::Parameter:
      text << "parameter " << slot.parameter << index;
      break;
    case BufferSlot::Kind::Constant:
      text << "constant %" << slot.constant->name() << index;
      break;
    case BufferSlot::Kind::Arena:
      text << "arena [" << slot.offset << ", " << slot.offset + slot.size << ")";
      break;
  }
  if (slot.view) text << " (view)";
  if (slot.reused_operand >= 0) text << " (in place of operand " << slot.reused_operand << ")";
  return text.str();
}

// A fusion reads its operand only where it writes when every path from that fused parameter to
// the root runs through elementwise ops of the result's dims: result element j then depends on
// operand element j alone, so the loop may overwrite it.
bool fusion_reads_in_place(const ir::Instruction& fusion, int64_t operand) {
  const std::vector<ir::Computation*> callees = fusion.called_computations();
  if (callees.size() != 1 || operand >= callees[0]->parameter_count()) return false;
  const ir::Instruction* parameter = callees[0]->parameter(operand);
  std::vector<const ir::Instruction*> pending = {parameter};
  std::unordered_set<const ir::Instruction*> seen = {parameter};
  while (!pending.empty()) {
    const ir::Instruction* inst = pending.back();
    pending.pop_back();
    if (!inst->shape().is_array() || inst->shape().dims() != fusion.shape().dims()) return false;
    if (inst != parameter && !inst->info().has(ir::kElementwise)) return false;
    for (const ir::Instruction* user : inst->users()) {
      if (seen.insert(user).second) pending.push_back(user);
    }
  }
  return true;
}

}  // namespace

bool elementwise_may_reuse_operand(const ir::Instruction& user, int64_t operand) {
  if (user.op() == ir::Op::DynamicUpdateSlice) return operand == 0;
  if (!user.operand(operand)->shape().equal_with_layout(user.shape())) return false;
  if (user.op() == ir::Op::Fusion) return fusion_reads_in_place(user, operand);
  return user.info().has(ir::kElementwise);
}

Result<BufferAssignment> assign_buffers(const ir::Computation& computation,
                                        std::vector<const ir::Instruction*> schedule,
                                        const BufferAssignmentOptions& options) {
  if (options.alignment < 1) {
    return Error("buffer assignment: alignment must be at least 1; got " +
                 std::to_string(options.alignment));
  }
  HLOCC_TRY_STATUS(check_schedule(computation, schedule));
  const BufferAliases aliases(computation);
  const std::vector<LiveRange> ranges = live_ranges(aliases, schedule);
  InPlacePlanner planner(aliases, ranges, options);
  for (size_t step = 0; step < schedule.size(); ++step) {
    planner.plan(*schedule[step], static_cast<int64_t>(step));
  }
  Allocations allocations = gather_allocations(aliases, ranges, planner, options.alignment);
  BufferAssignment assignment;
  assignment.computation = &computation;
  assignment.schedule = std::move(schedule);
  std::vector<LiveRange> allocation_ranges;
  std::vector<int64_t> allocation_sizes;
  for (const Allocation& allocation : allocations.list) {
    allocation_ranges.push_back(allocation.live);
    allocation_sizes.push_back(allocation.size);
  }
  assignment.min_live_bytes = peak_live_bytes(allocation_ranges, allocation_sizes);
  assignment.arena_bytes = pack(allocations.list);
  fill_slots(assignment, aliases, allocations, planner);
  return assignment;
}

Result<BufferAssignment> assign_buffers(const ir::Computation& computation,
                                        const BufferAssignmentOptions& options) {
  return assign_buffers(computation, schedule_for_memory(computation), options);
}

const BufferSlot& BufferAssignment::slot(const ir::Instruction& inst,
                                         std::span<const int64_t> tuple_index) const {
  const auto it = slots.find(&inst);
  HLOCC_CHECK(it != slots.end()) << "no buffers assigned to %" << inst.name();
  return it->second[static_cast<size_t>(leaf_ordinal(inst.shape(), tuple_index))];
}

std::string BufferAssignment::to_string() const {
  std::ostringstream text;
  text << "buffer assignment of " << computation->name() << ": arena " << arena_bytes
       << " bytes, min live " << min_live_bytes << " bytes, " << schedule.size() << " steps\n";
  for (size_t step = 0; step < schedule.size(); ++step) {
    const ir::Instruction& inst = *schedule[step];
    text << step << " %" << inst.name() << " = " << inst.shape().to_string() << " "
         << inst.info().name << ":";
    const std::vector<std::vector<int64_t>> leaves = leaf_indices(inst.shape());
    const std::vector<BufferSlot>& leaf_slots = slots.at(&inst);
    for (size_t k = 0; k < leaves.size(); ++k) {
      if (inst.shape().is_tuple()) text << " {" << ir::join_ints(leaves[k]) << "}";
      text << " " << describe(leaf_slots[k]) << (k + 1 < leaves.size() ? ";" : "");
    }
    text << "\n";
  }
  return text.str();
}

}  // namespace hlocc::passes
