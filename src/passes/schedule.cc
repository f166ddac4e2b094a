#include "passes/schedule.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "ir/check.h"
#include "passes/aliasing.h"

namespace hlocc::passes {
namespace {

using Schedule = std::vector<const ir::Instruction*>;

// What the schedulers need to know about each instruction, by its position in program order.
struct Facts {
  explicit Facts(const ir::Computation& computation)
      : aliases(computation), order(program_order(computation)), sizes(arena_sizes(aliases, 1)) {
    for (size_t i = 0; i < order.size(); ++i) position.emplace(order[i], static_cast<int64_t>(i));
    for (const ir::Instruction* inst : order) {
      reads.push_back(aliases.buffers_read(*inst));
      allocated.push_back(allocated_bytes(*inst));
    }
  }

  // The arena bytes `inst` brings into being (none for views, parameters and constants).
  int64_t allocated_bytes(const ir::Instruction& inst) const {
    if (is_view(inst)) return 0;
    int64_t bytes = 0;
    for (const int64_t buffer : aliases.leaf_buffers(inst)) bytes += sizes[buffer];
    return bytes;
  }
  int64_t index(const ir::Instruction* inst) const { return position.at(inst); }
  bool is_live_out(int64_t buffer) const {
    const std::vector<int64_t>& live_out = aliases.live_out();
    return std::find(live_out.begin(), live_out.end(), buffer) != live_out.end();
  }

  BufferAliases aliases;
  Schedule order;
  std::vector<int64_t> sizes;               // by buffer
  std::vector<std::vector<int64_t>> reads;  // by instruction: buffers it reads
  std::vector<int64_t> allocated;           // by instruction: arena bytes it defines
  std::unordered_map<const ir::Instruction*, int64_t> position;
};

int64_t distinct_operand_count(const ir::Instruction& inst) {
  std::vector<const ir::Instruction*> seen;
  for (const ir::Instruction* operand : inst.operands()) {
    if (std::find(seen.begin(), seen.end(), operand) == seen.end()) seen.push_back(operand);
  }
  return static_cast<int64_t>(seen.size());
}

// Greedy list scheduling: of the ready instructions, run the one that frees the most bytes net of
// what it allocates (the earliest in program order on ties), as XLA's ListScheduler does.
class ListScheduler {
 public:
  explicit ListScheduler(const Facts& facts) : facts_(facts) {
    for (size_t b = 0; b < facts.sizes.size(); ++b) readers_left_.push_back(0);
    for (const std::vector<int64_t>& reads : facts.reads) {
      for (const int64_t buffer : reads) ++readers_left_[buffer];
    }
    for (const ir::Instruction* inst : facts.order) {
      operands_left_.push_back(distinct_operand_count(*inst));
      if (operands_left_.back() == 0) ready_.push_back(inst);
    }
  }

  Schedule run() {
    Schedule schedule;
    while (!ready_.empty()) {
      const auto best = std::max_element(ready_.begin(), ready_.end(), [&](auto* a, auto* b) {
        const int64_t pa = priority(*a), pb = priority(*b);
        return pa != pb ? pa < pb : facts_.index(a) > facts_.index(b);
      });
      const ir::Instruction* inst = *best;
      ready_.erase(best);
      schedule.push_back(inst);
      retire(*inst);
    }
    HLOCC_CHECK(schedule.size() == facts_.order.size()) << "the computation has a cycle";
    return schedule;
  }

 private:
  int64_t priority(const ir::Instruction& inst) const {
    const int64_t i = facts_.index(&inst);
    int64_t freed = 0;
    for (const int64_t buffer : facts_.reads[i]) {
      if (readers_left_[buffer] == 1 && !facts_.is_live_out(buffer)) freed += facts_.sizes[buffer];
    }
    return freed - facts_.allocated[i];
  }

  void retire(const ir::Instruction& inst) {
    for (const int64_t buffer : facts_.reads[facts_.index(&inst)]) --readers_left_[buffer];
    for (const ir::Instruction* user : inst.users()) {
      if (--operands_left_[facts_.index(user)] == 0) ready_.push_back(user);
    }
  }

  const Facts& facts_;
  std::vector<int64_t> readers_left_;   // by buffer: unscheduled instructions that read it
  std::vector<int64_t> operands_left_;  // by instruction: distinct operands not yet scheduled
  Schedule ready_;
};

// Bytes allocated by an instruction and everything it depends on (shared operands counted once
// per path, so a double: only the order of these weights matters).
std::vector<double> subtree_bytes(const Facts& facts) {
  std::vector<double> bytes;
  for (size_t i = 0; i < facts.order.size(); ++i) {
    double total = static_cast<double>(facts.allocated[i]);
    for (const ir::Instruction* operand : facts.order[i]->operands()) {
      total += bytes[facts.index(operand)];
    }
    bytes.push_back(total);
  }
  return bytes;
}

// Post-order from the instructions nothing uses (the root last), visiting the operand with the
// heavier subtree first so that its large temporaries die before the lighter ones are built.
// Iterative: a long chain must not overflow the stack.
Schedule dfs_schedule(const Facts& facts) {
  const std::vector<double> weight = subtree_bytes(facts);
  std::vector<bool> visited(facts.order.size(), false);
  Schedule schedule;
  auto visit = [&](const ir::Instruction* start) {
    std::vector<std::pair<const ir::Instruction*, Schedule>> stack;
    auto push = [&](const ir::Instruction* inst) {
      visited[facts.index(inst)] = true;
      Schedule operands(inst->operands().begin(), inst->operands().end());
      // Heaviest first, so it is popped (from the back) first.
      std::stable_sort(operands.begin(), operands.end(), [&](auto* a, auto* b) {
        return weight[facts.index(a)] < weight[facts.index(b)];
      });
      stack.emplace_back(inst, std::move(operands));
    };
    if (visited[facts.index(start)]) return;
    push(start);
    while (!stack.empty()) {
      Schedule& pending = stack.back().second;
      if (pending.empty()) {
        schedule.push_back(stack.back().first);
        stack.pop_back();
        continue;
      }
      const ir::Instruction* next = pending.back();
      pending.pop_back();
      if (!visited[facts.index(next)]) push(next);
    }
  };
  const ir::Instruction* root = facts.aliases.computation().root();
  for (const ir::Instruction* inst : facts.order) {
    if (inst->users().empty() && inst != root) visit(inst);
  }
  visit(root);
  return schedule;
}

// Moves each instruction that allocates more than all it reads to just before its first user:
// its result then lives no longer than needed (a broadcast of a bias scheduled early holds its
// full-size result across everything run meanwhile). Walks from the end so that a chain of such
// instructions moves down together.
Schedule sink_allocations(const Facts& facts, Schedule schedule) {
  const ir::Instruction* root = facts.aliases.computation().root();
  for (size_t i = schedule.size(); i-- > 0;) {
    const ir::Instruction* inst = schedule[i];
    const int64_t index = facts.index(inst);
    int64_t read_bytes = 0;
    for (const int64_t buffer : facts.reads[index]) read_bytes += facts.sizes[buffer];
    if (inst == root || inst->users().empty() || facts.allocated[index] <= read_bytes) continue;
    size_t first_user = schedule.size();
    for (size_t j = i + 1; j < schedule.size() && first_user == schedule.size(); ++j) {
      const auto& users = inst->users();
      if (std::find(users.begin(), users.end(), schedule[j]) != users.end()) first_user = j;
    }
    // Erasing i shifts the first user down by one: insert just before it.
    schedule.erase(schedule.begin() + static_cast<std::ptrdiff_t>(i));
    schedule.insert(schedule.begin() + static_cast<std::ptrdiff_t>(first_user - 1), inst);
  }
  return schedule;
}

int64_t peak_of(const Facts& facts, const Schedule& schedule) {
  return peak_live_bytes(live_ranges(facts.aliases, schedule), facts.sizes);
}

}  // namespace

std::vector<const ir::Instruction*> program_order(const ir::Computation& computation) {
  Schedule order;
  for (const auto& inst : computation.instructions()) order.push_back(inst.get());
  return order;
}

int64_t simulated_peak_bytes(const ir::Computation& computation,
                             std::span<const ir::Instruction* const> schedule) {
  const BufferAliases aliases(computation);
  return peak_live_bytes(live_ranges(aliases, schedule), arena_sizes(aliases, 1));
}

std::vector<const ir::Instruction*> schedule_for_memory(const ir::Computation& computation) {
  const Facts facts(computation);
  Schedule best;
  int64_t best_peak = std::numeric_limits<int64_t>::max();
  for (const Schedule& base : {ListScheduler(facts).run(), dfs_schedule(facts), facts.order}) {
    for (Schedule candidate : {base, sink_allocations(facts, base)}) {
      const int64_t peak = peak_of(facts, candidate);
      if (peak < best_peak) {
        best_peak = peak;
        best = std::move(candidate);
      }
    }
  }
  return best;
}

}  // namespace hlocc::passes
