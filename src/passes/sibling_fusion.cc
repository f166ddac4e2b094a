#include "passes/sibling_fusion.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ir/clone.h"
#include "ir/elemental.h"
#include "passes/cse.h"

namespace hlocc::passes {
namespace {

using ir::Instruction;
using ir::Op;

// The computation a kLoop fusion calls, or null for any other instruction.
ir::Computation* loop_callee(const Instruction& inst) {
  if (inst.op() != Op::Fusion) return nullptr;
  const auto* kind = inst.attrs().get<std::string>("kind");
  if (kind == nullptr || *kind != "kLoop") return nullptr;
  const std::vector<ir::Computation*> called = inst.called_computations();
  return called.size() == 1 ? called[0] : nullptr;
}

// A fused computation's results: its root, or the elements of its root tuple.
std::vector<Instruction*> results_of(const ir::Computation& computation) {
  Instruction* root = computation.root();
  if (root->op() != Op::Tuple) return {root};
  return {root->operands().begin(), root->operands().end()};
}

// The dims every result of `fusion` has, when it can be a sibling: a kLoop fusion whose results
// are elementwise (one element per index of the loop) and alike in dims; and, for a tuple (an
// earlier merge), one that only get-tuple-elements read.
std::optional<std::vector<int64_t>> sibling_dims(const Instruction& fusion) {
  const ir::Computation* callee = loop_callee(fusion);
  if (callee == nullptr) return std::nullopt;
  const std::vector<Instruction*> results = results_of(*callee);
  for (const Instruction* result : results) {
    if (!result->shape().is_array() || !result->info().has(ir::kElementwise) ||
        result->shape().dims() != results[0]->shape().dims()) {
      return std::nullopt;
    }
  }
  if (fusion.shape().is_tuple()) {
    if (fusion.parent()->root() == &fusion) return std::nullopt;
    for (const Instruction* user : fusion.users()) {
      if (user->op() != Op::GetTupleElement) return std::nullopt;
    }
  }
  return results[0]->shape().dims();
}

// The row reduction a kLoop fusion's root is (see ir::is_row_reduction), or null. Merged with the
// fusion that computes its input, it returns that input too.
const Instruction* row_reduction_of(const Instruction& fusion) {
  const ir::Computation* callee = loop_callee(fusion);
  if (callee == nullptr || fusion.shape().is_tuple()) return nullptr;
  return ir::is_row_reduction(*callee->root()) ? callee->root() : nullptr;
}

// A fusion that may merge: `dims` is its index space (a row reduction's: its input's).
struct Candidate {
  Instruction* fusion;
  std::vector<int64_t> dims;
  const Instruction* reduce = nullptr;  // set for a row reduction
};

class ComputationSiblings {
 public:
  ComputationSiblings(ir::Module& module, ir::Computation& computation, std::ostream& log)
      : module_(module), computation_(computation), log_(log) {}

  // Merges one pair; false when no pair can merge.
  bool merge_one();

 private:
  const Instruction* shared_operand(const Instruction& a, const Instruction& b,
                                    int64_t elements) const;
  bool depends_on(const Instruction& later, const Instruction& earlier) const;
  bool users_follow(const Instruction& value, const Instruction& position) const;
  bool operands_precede(const Instruction& inst, const Instruction& position) const;
  std::unique_ptr<ir::Computation> merged_callee(std::span<Instruction* const> siblings,
                                                 const std::vector<Instruction*>& operands);
  void install(std::unique_ptr<ir::Computation> callee, std::span<Instruction* const> siblings,
               const std::vector<Instruction*>& operands, Instruction* place);

  ir::Module& module_;
  ir::Computation& computation_;
  std::ostream& log_;
  std::unordered_map<const Instruction*, int64_t> position_;
  // Pairs refused for good (merging others adds dependencies, never removes them, and leaves
  // these pairs' computations as they are): skipped, and logged once.
  std::set<std::pair<const Instruction*, const Instruction*>> refused_;
};

// An operand that both read with `elements` elements: the stream that merging reads once.
const Instruction* ComputationSiblings::shared_operand(const Instruction& a, const Instruction& b,
                                                       int64_t elements) const {
  for (const Instruction* operand : a.operands()) {
    if (!operand->shape().is_array() || operand->shape().element_count() != elements) continue;
    if (std::ranges::find(b.operands(), operand) != b.operands().end()) return operand;
  }
  return nullptr;
}

// Whether `earlier` is among `later`'s transitive operands. Definition order bounds the search:
// nothing defined before `earlier` can read it.
bool ComputationSiblings::depends_on(const Instruction& later, const Instruction& earlier) const {
  const int64_t bound = position_.at(&earlier);
  std::vector<const Instruction*> stack = {&later};
  std::unordered_set<const Instruction*> seen;
  while (!stack.empty()) {
    const Instruction* inst = stack.back();
    stack.pop_back();
    for (const Instruction* operand : inst->operands()) {
      if (operand == &earlier) return true;
      if (position_.at(operand) > bound && seen.insert(operand).second) stack.push_back(operand);
    }
  }
  return false;
}

bool ComputationSiblings::users_follow(const Instruction& value,
                                       const Instruction& position) const {
  return std::ranges::all_of(value.users(), [&](const Instruction* user) {
    return position_.at(user) > position_.at(&position);
  });
}

bool ComputationSiblings::operands_precede(const Instruction& inst,
                                           const Instruction& position) const {
  return std::ranges::all_of(inst.operands(), [&](const Instruction* operand) {
    return position_.at(operand) < position_.at(&position);
  });
}

bool ComputationSiblings::merge_one() {
  position_.clear();
  std::vector<Candidate> candidates;
  for (const auto& inst : computation_.instructions()) {
    position_[inst.get()] = static_cast<int64_t>(position_.size());
    if (auto dims = sibling_dims(*inst)) {
      candidates.push_back({inst.get(), std::move(*dims)});
    } else if (const Instruction* reduce = row_reduction_of(*inst)) {
      candidates.push_back({inst.get(), reduce->operand(0)->shape().dims(), reduce});
    }
  }
  for (size_t j = 0; j < candidates.size(); ++j) {
    Instruction* second = candidates[j].fusion;
    const std::vector<int64_t>& dims = candidates[j].dims;
    int64_t elements = 1;
    for (const int64_t d : dims) elements *= d;
    for (size_t i = 0; i < j; ++i) {
      Instruction* first = candidates[i].fusion;
      if (candidates[i].dims != dims) continue;
      // A row reduction merges only with the one elementwise (array) fusion computing its input.
      const Candidate* reduction = candidates[i].reduce ? &candidates[i]
                                   : candidates[j].reduce ? &candidates[j]
                                                          : nullptr;
      const Instruction* elementwise = reduction == &candidates[i] ? second : first;
      if (reduction != nullptr &&
          ((candidates[i].reduce && candidates[j].reduce) || elementwise->shape().is_tuple())) {
        continue;
      }
      if (refused_.contains({first, second})) continue;
      const Instruction* shared = shared_operand(*first, *second, elements);
      if (shared == nullptr) continue;
      const std::string pair = "%" + first->name() + " and %" + second->name() + " (both read %" +
                               shared->name() + ")";
      if (depends_on(*second, *first)) {
        log_ << "  " << pair << " stay apart: the second reads the first\n";
        refused_.insert({first, second});
        continue;
      }
      // The merged fusion takes the later one's place if the earlier one's readers all come
      // after it, else the earlier one's place if the later one's operands all come before it.
      const bool at_second = users_follow(*first, *second);
      if (!at_second && !operands_precede(*second, *first)) {
        log_ << "  " << pair << " stay apart: no place comes after the operands and before the "
             << "readers of both\n";
        continue;
      }
      // The results in order: a row reduction's first, as its loop kernel runs over its rows.
      std::array<Instruction*, 2> siblings = {first, second};
      if (reduction == &candidates[j]) std::swap(siblings[0], siblings[1]);
      std::vector<Instruction*> operands;
      for (const Instruction* sibling : siblings) {
        for (Instruction* operand : sibling->operands()) {
          if (std::ranges::find(operands, operand) == operands.end()) operands.push_back(operand);
        }
      }
      std::unique_ptr<ir::Computation> callee = merged_callee(siblings, operands);
      if (reduction != nullptr) {
        if (ir::row_reduction_root(*callee) == nullptr) {
          log_ << "  " << pair << " stay apart: %" << elementwise->name()
               << " computes something other than the input of %" << reduction->fusion->name()
               << "'s reduction\n";
          refused_.insert({first, second});
          continue;
        }
      }
      log_ << "  " << pair << " merge";
      install(std::move(callee), siblings, operands, at_second ? second : first);
      return true;
    }
  }
  return false;
}

// The fused computation returning the results of `siblings` in order: each one's instructions
// copied over parameters for `operands` (keeping their names, since the computations they come
// from go away), what they compute alike computed once.
std::unique_ptr<ir::Computation> ComputationSiblings::merged_callee(
    std::span<Instruction* const> siblings, const std::vector<Instruction*>& operands) {
  auto callee = std::make_unique<ir::Computation>(module_.fresh_name("fused_computation"));
  std::vector<Instruction*> parameters;
  for (size_t i = 0; i < operands.size(); ++i) {
    auto parameter = std::make_unique<Instruction>(
        Op::Parameter, operands[i]->shape(), module_.fresh_name("param_" + std::to_string(i)));
    parameter->set_parameter_number(static_cast<int64_t>(i));
    parameters.push_back(callee->add(std::move(parameter)));
  }
  std::vector<Instruction*> results;
  std::vector<ir::Shape> result_shapes;
  for (const Instruction* sibling : siblings) {
    const ir::Computation& called = *loop_callee(*sibling);
    std::unordered_map<const Instruction*, Instruction*> copies;
    for (const auto& member : called.instructions()) {
      if (member->op() == Op::Parameter) {
        const Instruction* operand = sibling->operand(member->parameter_number());
        copies[member.get()] =
            parameters[static_cast<size_t>(std::ranges::find(operands, operand) - operands.begin())];
        continue;
      }
      if (member.get() == called.root() && member->op() == Op::Tuple) continue;
      std::vector<Instruction*> member_operands;
      for (const Instruction* operand : member->operands()) member_operands.push_back(copies.at(operand));
      copies[member.get()] =
          callee->add(ir::clone_instruction(*member, member->name(), member_operands));
    }
    for (const Instruction* result : results_of(called)) {
      results.push_back(copies.at(result));
      result_shapes.push_back(result->shape());
    }
  }
  auto tuple = std::make_unique<Instruction>(Op::Tuple, ir::Shape::tuple(result_shapes),
                                             module_.fresh_name("tuple"));
  for (Instruction* result : results) tuple->append_operand(result);
  callee->set_root(callee->add(std::move(tuple)));
  merge_common_subexpressions(*callee);
  return callee;
}

// Replaces `siblings` by one fusion of `operands` calling `callee`, placed before `place`; their
// readers read get-tuple-elements of it.
void ComputationSiblings::install(std::unique_ptr<ir::Computation> callee,
                                  std::span<Instruction* const> siblings,
                                  const std::vector<Instruction*>& operands, Instruction* place) {
  const ir::Shape result_shape = callee->result_shape();
  ir::Computation* called = module_.add_computation(std::move(callee));
  auto fusion =
      std::make_unique<Instruction>(Op::Fusion, result_shape, module_.fresh_name("fusion"));
  for (Instruction* operand : operands) fusion->append_operand(operand);
  fusion->attrs().set("kind", std::string("kLoop"));
  fusion->attrs().set("calls", called);
  if (siblings[0]->location()) fusion->set_location(*siblings[0]->location());
  Instruction* merged = fusion.get();
  std::vector<std::unique_ptr<Instruction>> inserted;
  inserted.push_back(std::move(fusion));
  // Readers of an array sibling read a new get-tuple-element; those of a tuple one (an earlier
  // merge, read only through get-tuple-elements) are moved over with their index shifted.
  int64_t offset = 0;
  std::vector<std::pair<Instruction*, Instruction*>> replaced;  // sibling -> its stand-in
  for (Instruction* sibling : siblings) {
    if (sibling->shape().is_tuple()) {
      const std::vector<Instruction*> users = sibling->users();
      for (Instruction* element : users) {
        element->replace_operand(0, merged);
        element->attrs().set("index", *element->attrs().get<int64_t>("index") + offset);
      }
      offset += sibling->shape().tuple_size();
      continue;
    }
    auto element = std::make_unique<Instruction>(Op::GetTupleElement, sibling->shape(),
                                                 module_.fresh_name("get-tuple-element"));
    element->append_operand(merged);
    element->attrs().set("index", offset++);
    replaced.emplace_back(sibling, element.get());
    inserted.push_back(std::move(element));
  }
  computation_.insert_before(place, std::move(inserted));
  for (const auto& [sibling, element] : replaced) {
    sibling->replace_all_uses_with(element);
    if (computation_.root() == sibling) computation_.set_root(element);
  }
  log_ << " into %" << merged->name() << " calls=%" << called->name() << "\n";
  for (Instruction* sibling : siblings) {
    // A later instruction may take a removed one's address.
    std::erase_if(refused_, [&](const auto& refused) {
      return refused.first == sibling || refused.second == sibling;
    });
    ir::Computation* old = loop_callee(*sibling);
    computation_.remove(sibling);
    module_.remove_computation(old);
  }
}

}  // namespace

Result<bool> SiblingFusion::run(ir::Module& module) {
  std::ostringstream log;
  bool changed = false;
  // The computations that call loop fusions (never a fused computation, which merging may
  // remove): listed first, as merging adds and removes computations.
  std::vector<ir::Computation*> computations;
  for (const auto& computation : module.computations()) {
    if (std::ranges::any_of(computation->instructions(),
                            [](const auto& inst) { return loop_callee(*inst) != nullptr; })) {
      computations.push_back(computation.get());
    }
  }
  for (ir::Computation* computation : computations) {
    log << "computation %" << computation->name() << ":\n";
    ComputationSiblings siblings(module, *computation, log);
    while (siblings.merge_one()) changed = true;
  }
  if (changed) module.order_callees_first();
  if (changed || log_.empty()) log_ = log.str();
  return changed;
}

}  // namespace hlocc::passes
