#include "passes/fusion.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ir/clone.h"
#include "ir/op_rules.h"
#include "ir/relu_pattern.h"

namespace hlocc::passes {
namespace {

using ir::Instruction;
using ir::Op;

// ---- Cost policy ------------------------------------------------------------------------------
// What an op costs is the fusion pass's own judgement (XLA's InstructionFusion::IsExpensive and
// ReusesOperandElements, simplified), so these facts live here rather than in the op table; what
// an op can be fused at all comes from the table (an elemental rule).

// More index vectors than this and a gather runs as its own loop.
constexpr int64_t kMaxFusedGatherIndices = 1024;

bool is_contraction(Op op) { return op == Op::Dot || op == Op::Convolution; }

// A dot that sums at most this many products per result element, into at least this many
// elements, runs as a loop.
constexpr int64_t kMaxLoopDotProducts = 16;
constexpr int64_t kMinLoopDotElements = int64_t{1} << 16;

// A dot with few products per element and a large result (a weight gradient at a small batch:
// [10, out] x [10, in] -> [out, in]) is memory-bound, its result many times the size of its
// operands. Computed in the loop that reads it (an optimizer's update), that result is never
// written out and read back; in oneDNN it streams out and the update streams it in again. The loop
// sums in the evaluator's order. Small results are not worth the difference.
bool is_loop_dot(const Instruction& inst) {
  if (inst.op() != Op::Dot || inst.shape().element_count() < kMinLoopDotElements) return false;
  int64_t products = 1;
  for (const int64_t d : inst.attrs().int_list_or_empty("lhs_contracting_dims")) {
    products *= inst.operand(0)->shape().dim(d);
  }
  return products <= kMaxLoopDotProducts;
}

// Convolutions and the dots that are not loop dots: oneDNN runs them.
bool runs_in_onednn(const Instruction& inst) {
  return is_contraction(inst.op()) && !is_loop_dot(inst);
}

bool is_scalar_constant(const Instruction& inst) {
  return inst.op() == Op::Constant && inst.shape().is_scalar();
}

// Cheap enough to compute again in every fusion that reads it.
bool is_cheap(const Instruction& inst) {
  if (is_scalar_constant(inst) || inst.info().has(ir::kMovement)) return true;
  return inst.info().has(ir::kElementwise) && !inst.info().has(ir::kExpensive);
}

// Whether `user` reads each element of its operand `i` at most once for all its result elements
// (so an expensive producer fused there is computed once per element, as it would be alone).
bool reads_each_element_once(const Instruction& user, int64_t i) {
  const ir::Shape& operand = user.operand(i)->shape();
  if (user.info().has(ir::kElementwise) || user.op() == Op::Map || user.op() == Op::Broadcast) {
    return operand.is_array() && operand.element_count() == user.shape().element_count();
  }
  if (user.op() == Op::Reduce) return i < user.operand_count() / 2;  // inputs, not init values
  if (user.op() == Op::Pad || user.op() == Op::DynamicSlice) return i == 0;
  if (user.op() == Op::DynamicUpdateSlice) return i <= 1;
  return user.info().has(ir::kMovement) && user.op() != Op::Iota;
}

// "" when `inst` can join a loop fusion, else why not.
std::string why_not_loop_fusible(const Instruction& inst) {
  static const std::type_info& kBackendLowered = ir::lowered_by_backend().target_type();
  if (is_scalar_constant(inst)) return "";
  if (inst.op() == Op::Constant) return "a constant bigger than a scalar stays a buffer";
  if (runs_in_onednn(inst)) return "a contraction runs in oneDNN";
  const ir::ElementalRule& rule = ir::op_rules(inst.op()).elemental;
  if (!rule || rule.target_type() == kBackendLowered) {
    return std::string(inst.info().name) + " runs as a whole, not element by element";
  }
  if (inst.shape().is_tuple()) return "its result is a tuple";
  if (inst.op() == Op::Bitcast && ir::dtype_byte_size(inst.shape().dtype()) !=
                                      ir::dtype_byte_size(inst.operand(0)->shape().dtype())) {
    return "a bitcast across element widths reinterprets bytes (a view, not a loop)";
  }
  if (inst.op() == Op::Gather &&
      inst.operand(1)->shape().element_count() > kMaxFusedGatherIndices) {
    return "a gather of more than " + std::to_string(kMaxFusedGatherIndices) + " indices";
  }
  return "";
}

// ---- Small IR helpers -------------------------------------------------------------------------

void insert_after(ir::Computation& computation, const Instruction* position,
                  std::unique_ptr<Instruction> instruction) {
  const auto& list = computation.instructions();
  const auto at = std::find_if(list.begin(), list.end(),
                               [&](const auto& inst) { return inst.get() == position; });
  HLOCC_CHECK(at != list.end()) << "%" << position->name() << " is not in " << computation.name();
  if (at + 1 != list.end()) {
    std::vector<std::unique_ptr<Instruction>> one;
    one.push_back(std::move(instruction));
    computation.insert_before((at + 1)->get(), std::move(one));
    return;
  }
  Instruction* root = computation.root();
  computation.add(std::move(instruction));
  computation.set_root(root);
}

// ---- kOutput: matching a contraction's epilogue -----------------------------------------------

// One post-op: the instruction whose result it is, and what joins the fusion with it.
struct EpilogueStep {
  std::string what;  // "bias", "relu", "residual"
  Instruction* result = nullptr;
  std::vector<Instruction*> members;   // result first, then the compare / broadcasts it reads
  Instruction* shared_mask = nullptr;  // relu: its compare, when others read the compare too
};

const Instruction* other_operand(const Instruction& binary, const Instruction* value) {
  return binary.operand(0) == value ? binary.operand(1) : binary.operand(0);
}

std::optional<EpilogueStep> match_single_user_step(Instruction* user, const Instruction* value) {
  if (user->operand_count() != 2 || user->operand(0) == user->operand(1)) return std::nullopt;
  auto* other = const_cast<Instruction*>(other_operand(*user, value));
  if (user->op() == Op::Add && other->op() == Op::Broadcast) {
    return EpilogueStep{"bias", user, {user, other}, nullptr};
  }
  if (user->op() == Op::Add) return EpilogueStep{"residual", user, {user}, nullptr};
  if (other->op() == Op::Broadcast && ir::is_maximum_relu(*user, value)) {
    return EpilogueStep{"relu", user, {user, other}, nullptr};
  }
  return std::nullopt;
}

// A residual add's other operand must be in memory before the contraction runs (oneDNN's sum
// post-op adds to the destination's old contents). When that operand is a cheap elementwise
// expression that only this add reads, writing it out takes a loop of its own (a read and a write
// of the whole array) and the post-op reads it once more; left out of the epilogue, the add and
// the expression fuse into the add's readers instead, as the weight-decay term of an SGD update
// fuses into the update's loop.
bool residual_needs_own_loop(const Instruction& residual) {
  return residual.users().size() == 1 && residual.info().has(ir::kElementwise) &&
         is_cheap(residual);
}

// The post-op that consumes `value`, or why there is none.
std::variant<EpilogueStep, std::string> match_epilogue_step(const Instruction* value) {
  const std::vector<Instruction*>& users = value->users();
  if (value == value->parent()->root()) return std::string("it is the computation's result");
  if (users.size() == 1) {
    if (users[0]->shape() != value->shape()) {
      return "%" + users[0]->name() + " changes the shape or element type";
    }
    const Instruction* user = users[0];
    if (user->op() == Op::Add && user->operand_count() == 2 &&
        user->operand(0) != user->operand(1)) {
      const Instruction& residual = *other_operand(*user, value);
      if (residual.op() != Op::Broadcast && residual_needs_own_loop(residual)) {
        return "%" + residual.name() +
               ", the residual, would need a loop of its own: the add fuses into its readers";
      }
    }
    if (auto step = match_single_user_step(users[0], value)) return *step;
    return "%" + users[0]->name() + " (" + std::string(users[0]->info().name) +
           ") is not a bias add, relu or residual add";
  }
  if (users.size() == 2) {
    for (Instruction* select : users) {
      const std::optional<ir::SelectRelu> relu = ir::match_select_relu(*select, value);
      if (!relu || std::ranges::find(users, relu->compare) == users.end()) continue;
      const bool shared = relu->compare->users().size() > 1;
      if (shared && !relu->mask_of_result_is_same) {
        return "the relu's mask %" + relu->compare->name() + " is read elsewhere";
      }
      return EpilogueStep{"relu",
                          select,
                          {select, relu->compare, select->operand(1), select->operand(2),
                           relu->compare->operand(0), relu->compare->operand(1)},
                          shared ? relu->compare : nullptr};
    }
  }
  return "its result has " + std::to_string(users.size()) + " users";
}

// ---- Groups and the decisions that build them -------------------------------------------------

enum class Kind { Loop, Output };

struct Group {
  Kind kind;
  Instruction* root;
  std::vector<Instruction*> members;  // in the order they joined: the root (kLoop) or the
                                      // contraction (kOutput) first
  // kLoop: whether the member is computed once per element of the fusion's result.
  std::unordered_map<const Instruction*, bool> computed_once;
  // kOutput: the scalar zeros of its relus, rebuilt inside as constants (the backend's relu).
  std::unordered_set<const Instruction*> relu_zeros;
  bool contains(const Instruction* inst) const { return computed_once.contains(inst); }
};

class ComputationFuser {
 public:
  ComputationFuser(ir::Module& module, ir::Computation& computation, std::ostream& log)
      : module_(module), computation_(computation), log_(log) {}
  bool run();

 private:
  struct Consumers {
    std::vector<size_t> groups;  // groups that read the value and do not hold it
    int64_t others = 0;          // unfused readers (and the computation's result)
  };

  void find_output_fusions();
  void fuse_epilogue(Instruction* contraction);
  bool all_readers_follow(const Instruction& value, const Instruction* first) const;
  void rewrite_shared_mask(const EpilogueStep& step, const Instruction* value);
  Consumers consumers_of(const Instruction* inst) const;
  void decide(Instruction* inst);
  std::optional<std::string> why_group_refuses(const Group& group, const Instruction* inst,
                                               bool& computed_once) const;
  size_t start_group(Kind kind, Instruction* root);
  void join(size_t group, Instruction* inst, bool computed_once);
  bool worth_a_fusion(const Group& group) const;
  std::string name_in_fusion(const Instruction& member);
  bool materialize();
  Instruction* insert_fusion(const Group& group, ir::Computation* called,
                             const std::vector<Instruction*>& operands);
  ir::Computation* fused_computation(const Group& group, std::vector<Instruction*>& operands);

  ir::Module& module_;
  ir::Computation& computation_;
  std::ostream& log_;
  std::vector<Group> groups_;
  std::unordered_map<const Instruction*, std::vector<size_t>> groups_of_;
  std::unordered_map<const Instruction*, int64_t> position_;  // definition order
};

size_t ComputationFuser::start_group(Kind kind, Instruction* root) {
  groups_.push_back(Group{kind, root, {}, {}, {}});
  join(groups_.size() - 1, root, true);
  return groups_.size() - 1;
}

void ComputationFuser::join(size_t group, Instruction* inst, bool computed_once) {
  groups_[group].members.push_back(inst);
  groups_[group].computed_once[inst] = computed_once;
  groups_of_[inst].push_back(group);
}

// Contractions first, in definition order: their epilogues are claimed before loop fusion sees
// them, so a bias or relu never ends up in a loop instead.
void ComputationFuser::find_output_fusions() {
  std::vector<Instruction*> contractions;
  for (const auto& inst : computation_.instructions()) {
    if (runs_in_onednn(*inst)) contractions.push_back(inst.get());
  }
  for (Instruction* contraction : contractions) fuse_epilogue(contraction);
}

void ComputationFuser::fuse_epilogue(Instruction* contraction) {
  const ir::DType dtype = contraction->shape().dtype();
  if (dtype != ir::DType::F32 && dtype != ir::DType::BF16) {
    log_ << "  %" << contraction->name() << ": no kOutput fusion for a " << ir::dtype_name(dtype)
         << " result (oneDNN post-ops take f32 and bf16)\n";
    return;
  }
  std::vector<EpilogueStep> steps;
  const Instruction* value = contraction;
  for (;;) {
    auto step = match_epilogue_step(value);
    if (auto* why = std::get_if<std::string>(&step)) {
      log_ << "  %" << contraction->name() << ": epilogue ends after %" << value->name() << ": "
           << *why << "\n";
      break;
    }
    if (groups_of_.contains(std::get<EpilogueStep>(step).result)) {
      log_ << "  %" << contraction->name() << ": epilogue ends after %" << value->name()
           << ": its user is in the epilogue of an earlier contraction\n";
      break;
    }
    const EpilogueStep& next = std::get<EpilogueStep>(step);
    if (next.shared_mask != nullptr && !all_readers_follow(*next.shared_mask, next.result)) {
      log_ << "  %" << contraction->name() << ": epilogue ends after %" << value->name()
           << ": the relu's mask %" << next.shared_mask->name() << " is read before the relu\n";
      break;
    }
    steps.push_back(std::get<EpilogueStep>(std::move(step)));
    if (steps.back().shared_mask != nullptr) rewrite_shared_mask(steps.back(), value);
    value = steps.back().result;
  }
  if (steps.empty()) return;
  const size_t group = groups_.size();
  groups_.push_back(Group{Kind::Output, steps.back().result, {}, {}, {}});
  join(group, contraction, true);
  for (const EpilogueStep& step : steps) {
    for (Instruction* member : step.members) {
      if (!groups_[group].contains(member)) join(group, member, true);
      if (step.what == "relu" && member->op() == Op::Broadcast && ir::is_positive_zero(*member)) {
        groups_[group].relu_zeros.insert(member->operand(0));
      }
    }
  }
}

// Whether every reader of `value` but `first` comes after `first` (so `first`'s result can
// stand in for `value` there).
bool ComputationFuser::all_readers_follow(const Instruction& value,
                                          const Instruction* first) const {
  return std::ranges::all_of(value.users(), [&](const Instruction* user) {
    return user == first || position_.at(user) > position_.at(first);
  });
}

// The relu's mask m = compare(x, 0) is read after the relu too (the backward pass's relu'):
// those readers get m(relu(x)), equal to m(x) for this relu's form, so x need not outlive the
// fusion and the compare joins it alone.
void ComputationFuser::rewrite_shared_mask(const EpilogueStep& step, const Instruction* value) {
  Instruction* mask = step.shared_mask;
  std::vector<Instruction*> operands(mask->operands().begin(), mask->operands().end());
  std::replace(operands.begin(), operands.end(), const_cast<Instruction*>(value), step.result);
  auto copy = ir::clone_instruction(*mask, module_.fresh_name("compare"), operands);
  Instruction* result_mask = copy.get();
  insert_after(computation_, step.result, std::move(copy));
  const std::vector<Instruction*> users = mask->users();
  for (Instruction* user : users) {
    if (user == step.result) continue;
    for (int64_t i = 0; i < user->operand_count(); ++i) {
      if (user->operand(i) == mask) user->replace_operand(i, result_mask);
    }
  }
  if (computation_.root() == mask) computation_.set_root(result_mask);
  log_ << "  %" << mask->name() << ": its other readers now read %" << result_mask->name()
       << ", the same compare of the relu's result %" << step.result->name() << "\n";
}

ComputationFuser::Consumers ComputationFuser::consumers_of(const Instruction* inst) const {
  Consumers consumers;
  for (const Instruction* user : inst->users()) {
    const auto found = groups_of_.find(user);
    if (found == groups_of_.end()) {
      ++consumers.others;
      continue;
    }
    for (const size_t group : found->second) {
      if (!groups_[group].contains(inst) &&
          std::ranges::find(consumers.groups, group) == consumers.groups.end()) {
        consumers.groups.push_back(group);
      }
    }
  }
  if (inst == computation_.root()) ++consumers.others;
  return consumers;
}

// Whether `inst` may join `group` (nullopt) or why not; sets whether it would be computed once
// per element of the group's result.
std::optional<std::string> ComputationFuser::why_group_refuses(const Group& group,
                                                               const Instruction* inst,
                                                               bool& computed_once) const {
  if (group.kind == Kind::Output) return "a kOutput fusion holds only its epilogue";
  const auto reduces_in_group = [&](const Instruction* user) {
    return user->op() == Op::Reduce && group.contains(user);
  };
  if (inst->op() == Op::Reduce &&
      std::any_of(inst->users().begin(), inst->users().end(), reduces_in_group)) {
    // Fused, the inner reduction would run element by element inside the outer one's loop, on
    // one thread for a small result: splitreduce made the two stages to run as two loops.
    return "a reduction feeding a reduction keeps its own loop";
  }
  const auto dot_in_group = [&](const Instruction* user) {
    return user->op() == Op::Dot && group.contains(user);
  };
  if (!is_scalar_constant(*inst) &&
      std::any_of(inst->users().begin(), inst->users().end(), dot_in_group)) {
    // A dot reads each operand element once per element of the other operand's free dims; even a
    // transpose would turn those reads, contiguous in a buffer, into gathers.
    return "a dot reads its operands' elements many times: they stay buffers";
  }
  computed_once = true;
  const Instruction* rereader = nullptr;
  for (const Instruction* user : inst->users()) {
    if (!group.contains(user)) continue;
    for (int64_t i = 0; i < user->operand_count(); ++i) {
      if (user->operand(i) != inst) continue;
      if (!group.computed_once.at(user) || !reads_each_element_once(*user, i)) {
        computed_once = false;
        rereader = user;
      }
    }
  }
  if (!computed_once && !is_cheap(*inst)) {
    return "%" + rereader->name() + " reads its elements more than once, and " +
           std::string(inst->info().name) + " is expensive to recompute";
  }
  return std::nullopt;
}

std::string group_names(const std::vector<Group>& groups, const std::vector<size_t>& ids) {
  std::string names;
  for (const size_t id : ids) names += (names.empty() ? "%" : ", %") + groups[id].root->name();
  return names;
}

// Visited after all of `inst`'s users (reverse definition order): joins the fusions that read it,
// stays its own loop, or both when it is cheap enough to compute twice.
void ComputationFuser::decide(Instruction* inst) {
  const Consumers consumers = consumers_of(inst);
  if (consumers.groups.empty() && consumers.others == 0) return;  // unused, or wholly fused
  if (inst->op() == Op::Parameter) return;
  if (const std::string why = why_not_loop_fusible(*inst); !why.empty()) {
    if (!consumers.groups.empty() && !inst->shape().is_tuple() &&
        inst->op() != Op::GetTupleElement) {
      log_ << "  %" << inst->name() << " stays out of the fusions of "
           << group_names(groups_, consumers.groups) << ": " << why << "\n";
    }
    return;
  }
  std::vector<std::pair<size_t, bool>> accepting;
  for (const size_t group : consumers.groups) {
    bool computed_once = true;
    if (auto why = why_group_refuses(groups_[group], inst, computed_once)) {
      if (groups_[group].kind == Kind::Loop) {
        log_ << "  %" << inst->name() << " stays out of the fusion of %"
             << groups_[group].root->name() << ": " << *why << "\n";
      }
      continue;
    }
    accepting.emplace_back(group, computed_once);
  }
  const bool stays = consumers.others > 0 || accepting.size() < consumers.groups.size();
  const bool copies = stays || accepting.size() > 1;
  // A loop dot is copied too: its few products per element cost less than a stream of its
  // result, and the copies in an update's two loops become one when the siblings pass merges them.
  if (accepting.empty() || (copies && !is_cheap(*inst) && !is_loop_dot(*inst))) {
    if (!accepting.empty()) {
      log_ << "  %" << inst->name() << " is not copied into the fusions of "
           << group_names(groups_, consumers.groups) << " (" << inst->info().name
           << " is expensive): it is its own loop\n";
    }
    if (!is_scalar_constant(*inst)) start_group(Kind::Loop, inst);
    return;
  }
  std::vector<size_t> joined;
  for (const auto& [group, computed_once] : accepting) {
    join(group, inst, computed_once);
    joined.push_back(group);
  }
  if (copies && !is_scalar_constant(*inst)) {
    log_ << "  %" << inst->name() << " is copied into the fusions of "
         << group_names(groups_, joined) << (stays ? ", and kept for its other readers" : "")
         << "\n";
  }
  if (stays && !is_scalar_constant(*inst)) start_group(Kind::Loop, inst);
}

// A loop of one instruction needs no fusion: the backend runs a lone instruction as a loop.
// Scalar constants (and their conversions, which constant folding removes) do not count.
bool ComputationFuser::worth_a_fusion(const Group& group) const {
  if (group.kind == Kind::Output) return true;
  const auto is_constant = [](const Instruction* inst) {
    while (inst->op() == Op::Convert && inst->shape().is_scalar()) inst = inst->operand(0);
    return is_scalar_constant(*inst);
  };
  return std::ranges::count_if(group.members, std::not_fn(is_constant)) >= 2;
}

// Names are unique in a module: a member that moves into its one fusion keeps its name (the
// original goes), a member computed in several places gets <name>.N in each fusion.
std::string ComputationFuser::name_in_fusion(const Instruction& member) {
  const bool moves = groups_of_.at(&member).size() == 1 && !is_scalar_constant(member);
  return moves ? member.name() : module_.fresh_name(member.name());
}

// The fused computation of `group`, copied from the original instructions: one parameter per
// value it reads from outside (collected into `operands`; a contraction's two operands first),
// then the members in definition order. A kOutput fusion's relu zero becomes a constant inside.
ir::Computation* ComputationFuser::fused_computation(const Group& group,
                                                     std::vector<Instruction*>& operands) {
  std::vector<Instruction*> members = group.members;
  std::ranges::sort(members, {}, [&](const Instruction* m) { return position_.at(m); });
  const bool output = group.kind == Kind::Output;
  if (output)
    std::stable_partition(members.begin(), members.end(),
                          [](const Instruction* m) { return is_contraction(m->op()); });
  if (output) operands = {members[0]->operand(0), members[0]->operand(1)};
  for (const Instruction* member : members) {
    for (Instruction* operand : member->operands()) {
      if (!group.contains(operand) && !group.relu_zeros.contains(operand) &&
          std::ranges::find(operands, operand) == operands.end()) {
        operands.push_back(operand);
      }
    }
  }
  auto computation = std::make_unique<ir::Computation>(module_.fresh_name("fused_computation"));
  std::unordered_map<const Instruction*, Instruction*> copies;
  std::vector<Instruction*> parameters;
  for (size_t i = 0; i < operands.size(); ++i) {
    auto parameter = std::make_unique<Instruction>(
        Op::Parameter, operands[i]->shape(), module_.fresh_name("param_" + std::to_string(i)));
    parameter->set_parameter_number(static_cast<int64_t>(i));
    parameters.push_back(computation->add(std::move(parameter)));
    copies.try_emplace(operands[i], parameters.back());
  }
  for (const Instruction* member : members) {
    std::vector<Instruction*> copied_operands;
    for (const Instruction* operand : member->operands()) {
      if (!copies.contains(operand)) {  // the relu's zero: constant(0) of its type
        auto zero = std::make_unique<Instruction>(Op::Constant, operand->shape(),
                                                  module_.fresh_name("constant"));
        zero->set_literal(ir::Literal(operand->shape()));
        copies[operand] = computation->add(std::move(zero));
      }
      copied_operands.push_back(copies.at(operand));
    }
    if (output && member == members[0]) copied_operands = {parameters[0], parameters[1]};
    copies[member] =
        computation->add(ir::clone_instruction(*member, name_in_fusion(*member), copied_operands));
  }
  computation->set_root(copies.at(group.root));
  return module_.add_computation(std::move(computation));
}

// The fusion instruction calling `called` on `operands` in place of `group`'s root: placed just
// before the root, it takes over the root's readers.
Instruction* ComputationFuser::insert_fusion(const Group& group, ir::Computation* called,
                                             const std::vector<Instruction*>& operands) {
  Instruction* root = group.root;
  auto fusion =
      std::make_unique<Instruction>(Op::Fusion, root->shape(), module_.fresh_name("fusion"));
  for (Instruction* operand : operands) fusion->append_operand(operand);
  const std::string kind = group.kind == Kind::Loop ? "kLoop" : "kOutput";
  fusion->attrs().set("kind", kind);
  fusion->attrs().set("calls", called);
  if (root->location()) fusion->set_location(*root->location());
  Instruction* inserted = fusion.get();
  std::vector<std::unique_ptr<Instruction>> one;
  one.push_back(std::move(fusion));
  computation_.insert_before(root, std::move(one));
  root->replace_all_uses_with(inserted);
  if (computation_.root() == root) computation_.set_root(inserted);
  log_ << "  %" << inserted->name() << " kind=" << kind << " calls=%" << called->name() << ":";
  for (const auto& member : called->instructions()) {
    if (member->op() != Op::Parameter) log_ << " " << member->name();
  }
  log_ << "\n";
  return inserted;
}

// Builds every fused computation from the untouched instructions first, then puts the fusion
// instructions in (producers first, so a fusion reading another's root reads that fusion), and
// removes the fused instructions nothing reads any more.
bool ComputationFuser::materialize() {
  int64_t position = 0;
  for (const auto& inst : computation_.instructions()) position_[inst.get()] = position++;
  std::vector<const Group*> worthy;
  for (const Group& group : groups_) {
    if (worth_a_fusion(group)) worthy.push_back(&group);
  }
  std::ranges::sort(worthy, {}, [&](const Group* group) { return position_.at(group->root); });
  std::vector<std::pair<ir::Computation*, std::vector<Instruction*>>> built;  // called, operands
  std::unordered_set<const Instruction*> fused;
  for (const Group* group : worthy) {
    std::vector<Instruction*> operands;
    built.emplace_back(fused_computation(*group, operands), std::move(operands));
    fused.insert(group->members.begin(), group->members.end());
    for (const Instruction* zero : group->relu_zeros) {  // constant, or convert(constant)
      for (; zero->operand_count() == 1; zero = zero->operand(0)) fused.insert(zero);
      fused.insert(zero);
    }
  }
  std::unordered_map<const Instruction*, Instruction*> fusion_of;  // root -> its fusion
  for (size_t i = 0; i < worthy.size(); ++i) {
    std::vector<Instruction*>& operands = built[i].second;
    for (Instruction*& operand : operands) {
      if (const auto replaced = fusion_of.find(operand); replaced != fusion_of.end()) {
        operand = replaced->second;
      }
    }
    fusion_of[worthy[i]->root] = insert_fusion(*worthy[i], built[i].first, operands);
  }
  std::vector<Instruction*> order;
  for (const auto& inst : computation_.instructions()) order.push_back(inst.get());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (fused.contains(*it) && (*it)->users().empty() && *it != computation_.root()) {
      computation_.remove(*it);
    }
  }
  return !worthy.empty();
}

bool ComputationFuser::run() {
  int64_t position = 0;
  for (const auto& inst : computation_.instructions()) position_[inst.get()] = position++;
  find_output_fusions();
  std::vector<Instruction*> order;
  for (const auto& inst : computation_.instructions()) order.push_back(inst.get());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto groups = groups_of_.find(*it);
    const bool is_output_root =
        groups != groups_of_.end() &&
        std::ranges::any_of(groups->second, [&](size_t g) { return groups_[g].root == *it; });
    if (!is_output_root) decide(*it);
  }
  return materialize();
}

// The entry and what control flow runs from it (while bodies and conditions, branches, called
// computations), minus any computation that some other op also applies (a reducer, comparator,
// map or scatter function, a fused computation): those run per element and stay as they are.
std::vector<ir::Computation*> computations_to_fuse(const ir::Module& module) {
  std::unordered_set<const ir::Computation*> applied;
  for (const auto& computation : module.computations()) {
    for (const auto& inst : computation->instructions()) {
      if (inst->info().has(ir::kControlFlow)) continue;
      for (const ir::Computation* callee : inst->called_computations()) applied.insert(callee);
    }
  }
  std::vector<ir::Computation*> order;
  std::unordered_set<const ir::Computation*> visited;
  std::function<void(ir::Computation*)> visit = [&](ir::Computation* computation) {
    if (applied.contains(computation) || !visited.insert(computation).second) return;
    order.push_back(computation);
    for (const auto& inst : computation->instructions()) {
      if (!inst->info().has(ir::kControlFlow)) continue;
      for (ir::Computation* callee : inst->called_computations()) visit(callee);
    }
  };
  visit(module.entry());
  return order;
}

}  // namespace

Result<bool> Fusion::run(ir::Module& module) {
  std::ostringstream log;
  bool changed = false;
  for (ir::Computation* computation : computations_to_fuse(module)) {
    log << "computation %" << computation->name() << ":\n";
    changed = ComputationFuser(module, *computation, log).run() || changed;
  }
  if (changed) module.order_callees_first();
  if (changed || log_.empty()) log_ = log.str();
  return changed;
}

}  // namespace hlocc::passes
