#include "passes/cse.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "passes/determinism.h"

namespace hlocc::passes {
namespace {

// Where the instruction came from, not what it computes: ignored when comparing.
constexpr std::string_view kMetadata = "metadata";

bool commutes(const ir::Instruction& instruction) {
  return instruction.info().has(ir::kCommutative) && instruction.operand_count() == 2;
}

void mix(size_t& hash, size_t value) {
  hash ^= value + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
}

// Equal for instructions that `equivalent` calls equal; cheap parts only (attributes: integers).
size_t hash_of(const ir::Instruction& instruction) {
  size_t hash = static_cast<size_t>(instruction.op());
  size_t operands = 0;
  for (const ir::Instruction* operand : instruction.operands()) {
    const size_t h = std::hash<const ir::Instruction*>()(operand);
    if (commutes(instruction)) {
      operands += h;  // order-independent: add(a, b) and add(b, a) hash alike
    } else {
      mix(operands, h);
    }
  }
  mix(hash, operands);
  for (const int64_t dim : instruction.shape().dims()) mix(hash, static_cast<size_t>(dim));
  for (const auto& [name, value] : instruction.attrs().items()) {
    if (const auto* number = std::get_if<int64_t>(&value)) mix(hash, static_cast<size_t>(*number));
  }
  if (instruction.has_literal()) {
    const ir::Literal& literal = instruction.literal();
    mix(hash,
        std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(literal.raw()),
                                                       static_cast<size_t>(literal.raw_size()))));
  }
  return hash;
}

bool same_operands(const ir::Instruction& a, const ir::Instruction& b) {
  if (std::ranges::equal(a.operands(), b.operands())) return true;
  // x + y == y + x
  return commutes(a) && b.operand_count() == 2 && a.operand(0) == b.operand(1) &&
         a.operand(1) == b.operand(0);
}

size_t compared_attribute_count(const ir::Attributes& attrs) {
  return attrs.items().size() - (attrs.has(kMetadata) ? 1 : 0);
}

// The same attributes apart from metadata, in any order; called computations by identity.
bool same_attributes(const ir::Attributes& a, const ir::Attributes& b) {
  if (compared_attribute_count(a) != compared_attribute_count(b)) return false;
  return std::ranges::all_of(a.items(), [&](const ir::Attributes::Item& item) {
    const ir::AttrValue* other = b.find(item.first);
    return item.first == kMetadata || (other != nullptr && *other == item.second);
  });
}

bool equivalent(const ir::Instruction& a, const ir::Instruction& b) {
  if (a.op() != b.op() || !a.shape().equal_with_layout(b.shape()) || !same_operands(a, b) ||
      !same_attributes(a.attrs(), b.attrs()) || a.has_literal() != b.has_literal()) {
    return false;
  }
  return !a.has_literal() || a.literal() == b.literal();
}

class Merger {
 public:
  bool merge_duplicates(ir::Computation& computation);

 private:
  DeterminismCache determinism_;
};

// In definition order: once a duplicate is replaced, its users compare equal to the users of the
// instruction that replaced it, so chains of duplicates collapse in one sweep.
bool Merger::merge_duplicates(ir::Computation& computation) {
  std::unordered_map<size_t, std::vector<ir::Instruction*>> seen;
  std::vector<ir::Instruction*> duplicates;
  for (const auto& owned : computation.instructions()) {
    ir::Instruction* instruction = owned.get();
    if (instruction->op() == ir::Op::Parameter || !determinism_.deterministic(*instruction))
      continue;
    std::vector<ir::Instruction*>& candidates = seen[hash_of(*instruction)];
    const auto same = std::ranges::find_if(candidates, [&](const ir::Instruction* earlier) {
      return equivalent(*earlier, *instruction);
    });
    if (same == candidates.end()) {
      candidates.push_back(instruction);
      continue;
    }
    instruction->replace_all_uses_with(*same);
    if (computation.root() == instruction) computation.set_root(*same);
    duplicates.push_back(instruction);
  }
  for (ir::Instruction* duplicate : duplicates) computation.remove(duplicate);
  return !duplicates.empty();
}

}  // namespace

bool merge_common_subexpressions(ir::Computation& computation) {
  return Merger().merge_duplicates(computation);
}

Result<bool> CommonSubexpressionElimination::run(ir::Module& module) {
  Merger merger;
  bool changed = false;
  for (const auto& computation : module.computations()) {
    changed = merger.merge_duplicates(*computation) || changed;
  }
  return changed;
}

}  // namespace hlocc::passes
