// Layout assignment (see the header): a plan per computation (chains by union-find over operand
// edges, votes and fixed edges per chain), then one rewrite in definition order that permutes
// the chosen chains and patches every edge crossing a chain's boundary.
#include "passes/layout_assignment.h"

#include <algorithm>
#include <unordered_map>

namespace hlocc::passes {
namespace {

using ir::Instruction;
using ir::Op;
using Perm = std::vector<int64_t>;

// {0, 2, ..., r-1, 1}: the permuted value's dim j is the original's dim perm[j], so the
// original dim 1 (the front end's channels) becomes the last, most minor one.
Perm feature_last(int64_t rank) {
  Perm perm = {0};
  for (int64_t d = 2; d < rank; ++d) perm.push_back(d);
  perm.push_back(1);
  return perm;
}

Perm inverse(const Perm& perm) {
  Perm result(perm.size());
  for (size_t j = 0; j < perm.size(); ++j)
    result[static_cast<size_t>(perm[j])] = static_cast<int64_t>(j);
  return result;
}

int64_t rank_of(const Instruction& instruction) {
  const ir::Shape& shape = instruction.shape();
  return shape.is_array() ? static_cast<int64_t>(shape.dims().size()) : 0;
}

ir::Shape permuted(const ir::Shape& shape, const Perm& perm) {
  std::vector<int64_t> dims;
  for (const int64_t d : perm) dims.push_back(shape.dim(static_cast<size_t>(d)));
  return ir::Shape::array(shape.dtype(), dims);
}

// A convolution operand (or result) whose dims 0 and 1 are batch/feature roles and whose others
// are spatial: permuting it by feature_last gives the kernels their channels-last layout.
bool channels_second(const std::vector<int64_t>& spatial) {
  return std::ranges::none_of(spatial, [](int64_t d) { return d < 2; });
}

// Whether `instruction` can be computed on operands permuted alike, giving its result permuted
// alike: elementwise ops on equal shapes (scalar operands aside), single-input reduce-windows and
// select-and-scatters (their window permutes too) and convolutions (their dim_labels do).
bool is_member(const Instruction& instruction) {
  if (rank_of(instruction) < 3) return false;
  if (instruction.op() == Op::SelectAndScatter) return true;
  if (instruction.op() == Op::Convolution) {
    // Only a channels-second result joins a chain: one in another order (b01f already) would
    // come out scrambled, not feature-last.
    const auto* labels = instruction.attrs().get<ir::ConvDimLabels>("dim_labels");
    return labels != nullptr && channels_second(labels->output_spatial);
  }
  if (instruction.op() == Op::ReduceWindow) return instruction.operand_count() == 2;
  if (!instruction.info().has(ir::kElementwise)) return false;
  return std::ranges::all_of(instruction.operands(), [&](const Instruction* operand) {
    return rank_of(*operand) == 0 || operand->shape().dims() == instruction.shape().dims();
  });
}

// The operands that a member reads in its own (chain's) order; the others (scalars, a conv's
// operands, a reduce-window's init) keep theirs.
bool reads_in_chain_order(const Instruction& member, int64_t i) {
  if (member.op() == Op::Convolution || rank_of(*member.operand(i)) == 0) return false;
  return member.op() != Op::SelectAndScatter || i < 2;
}

// reduce(x, dims) on x permuted: the kept dims must stay in their relative order, so that the
// result needs no transpose. Returns the dims to reduce in the permuted operand, or nothing.
std::optional<Perm> reduce_dims_after(const Instruction& reduce, const Perm& perm) {
  if (reduce.op() != Op::Reduce || reduce.operand_count() != 2) return std::nullopt;
  const auto* dims = reduce.attrs().get<std::vector<int64_t>>("dimensions");
  if (dims == nullptr) return std::nullopt;
  int64_t last_kept = -1;
  for (const int64_t d : perm) {
    if (std::ranges::find(*dims, d) != dims->end()) continue;
    if (d < last_kept) return std::nullopt;
    last_kept = d;
  }
  const Perm position = inverse(perm);
  Perm result;
  for (const int64_t d : *dims) result.push_back(position[static_cast<size_t>(d)]);
  std::ranges::sort(result);
  return result;
}

// One chain: its votes (conv edges that want it permuted) and fixed edges (edges to or from
// instructions that need the original order; each would become a transpose).
struct Chain {
  const Instruction* first = nullptr;
  int64_t members = 0;
  int64_t votes = 0;
  int64_t fixed = 0;
  bool permute() const { return votes > fixed; }
};

class Plan {
 public:
  explicit Plan(const ir::Computation& computation) {
    for (const auto& instruction : computation.instructions()) {
      if (is_member(*instruction)) parent_[instruction.get()] = instruction.get();
    }
    for (const auto& instruction : computation.instructions()) {
      if (parent_.contains(instruction.get())) join_operands(*instruction);
    }
    for (const auto& instruction : computation.instructions()) count(*instruction, computation);
  }

  // Whether `instruction` is computed permuted (by feature_last of its rank).
  bool permuted(const Instruction* instruction) const {
    return parent_.contains(instruction) && chains_.at(find(instruction)).permute();
  }

  std::string log() const {
    std::string text;
    for (const Instruction* root : order_) {
      const Chain& chain = chains_.at(root);
      if (chain.votes == 0) continue;  // no convolution cares
      text += "chain of %" + chain.first->name() + ": " + std::to_string(chain.members) +
              " instructions, " + std::to_string(chain.votes) + " convolution edges, " +
              std::to_string(chain.fixed) + " fixed edges -> " +
              (chain.permute() ? "feature-last\n" : "as it is\n");
    }
    return text;
  }

 private:
  const Instruction* find(const Instruction* instruction) const {
    while (parent_.at(instruction) != instruction) instruction = parent_.at(instruction);
    return instruction;
  }

  void join_operands(const Instruction& member) {
    for (int64_t i = 0; i < member.operand_count(); ++i) {
      const Instruction* operand = member.operand(i);
      if (!reads_in_chain_order(member, i) || !parent_.contains(operand)) continue;
      parent_[find(operand)] = find(&member);
    }
  }

  Chain& chain_of(const Instruction* member) {
    Chain& chain = chains_[find(member)];
    if (chain.first == nullptr) {
      chain.first = member;
      order_.push_back(find(member));
    }
    return chain;
  }

  // Tallies the edges that `instruction` takes part in as a user (and as the root).
  void count(const Instruction& instruction, const ir::Computation& computation) {
    const bool member = parent_.contains(&instruction);
    if (member) ++chain_of(&instruction).members;
    if (member && &instruction == computation.root()) ++chain_of(&instruction).fixed;
    if (instruction.op() == Op::Convolution && member) count_convolution(instruction);
    for (int64_t i = 0; i < instruction.operand_count(); ++i) {
      const Instruction* operand = instruction.operand(i);
      const bool in_order = member && reads_in_chain_order(instruction, i);
      if (in_order && !parent_.contains(operand) && operand->op() != Op::Broadcast) {
        ++chain_of(&instruction).fixed;  // a transpose in
      }
      if (!parent_.contains(operand) || in_order) continue;
      const bool absorbs = instruction.op() == Op::Convolution ||
                           reduce_dims_after(instruction, feature_last(rank_of(*operand)));
      if (!absorbs) ++chain_of(operand).fixed;  // a transpose out
    }
  }

  void count_convolution(const Instruction& conv) {
    const auto* labels = conv.attrs().get<ir::ConvDimLabels>("dim_labels");
    if (labels == nullptr) return;
    ++chain_of(&conv).votes;  // a member: its result is channels-second
    if (parent_.contains(conv.operand(0)) && channels_second(labels->input_spatial)) {
      ++chain_of(conv.operand(0)).votes;
    }
    if (parent_.contains(conv.operand(1)) && channels_second(labels->kernel_spatial)) {
      ++chain_of(conv.operand(1)).votes;
    }
  }

  std::unordered_map<const Instruction*, const Instruction*> parent_;
  std::unordered_map<const Instruction*, Chain> chains_;
  std::vector<const Instruction*> order_;  // chains by their first instruction, for the log
};

// Label positions after their operand was permuted: dim perm[j] moved to j.
void relabel(const Perm& position, int64_t& dim) { dim = position[static_cast<size_t>(dim)]; }
void relabel(const Perm& position, std::vector<int64_t>& dims) {
  for (int64_t& d : dims) relabel(position, d);
}

class Rewriter {
 public:
  Rewriter(ir::Module& module, ir::Computation& computation, const Plan& plan)
      : module_(module), computation_(computation), plan_(plan) {}

  // Returns whether anything changed.
  bool run() {
    std::vector<Instruction*> order;
    for (const auto& instruction : computation_.instructions()) order.push_back(instruction.get());
    bool changed = false;
    for (Instruction* instruction : order) {
      if (plan_.permuted(instruction)) {
        permute_member(*instruction);
        changed = true;
      } else {
        changed = restore_operands(*instruction) || changed;
      }
    }
    Instruction* root = computation_.root();
    if (plan_.permuted(root)) {
      const Perm perm = feature_last(rank_of(*root));
      Instruction* back = transpose(root, inverse(perm), permuted(root->shape(), inverse(perm)));
      computation_.add(std::unique_ptr<Instruction>(back));
      computation_.set_root(back);
    }
    return changed;
  }

 private:
  Instruction* transpose(Instruction* operand, const Perm& perm, const ir::Shape& shape) {
    auto* result = new Instruction(Op::Transpose, shape, module_.fresh_name("transpose"));
    result->attrs().set("dimensions", perm);
    result->append_operand(operand);
    return result;
  }

  void insert(const Instruction* position, Instruction* instruction) {
    std::vector<std::unique_ptr<Instruction>> one;
    one.emplace_back(instruction);
    computation_.insert_before(position, std::move(one));
  }

  // `operand` in the chain's order, for a member: permuted operands as they are, broadcasts
  // rebuilt with their dimensions moved (x's dim k lands in result dim dims[k], now at
  // position[dims[k]]), anything else transposed (once per operand).
  Instruction* in_chain_order(Instruction* operand, const Perm& perm, const Instruction& user) {
    if (plan_.permuted(operand)) return operand;
    auto [it, inserted] = into_chain_.try_emplace(operand, nullptr);
    if (!inserted) return it->second;
    const ir::Shape shape = permuted(operand->shape(), perm);
    if (operand->op() != Op::Broadcast) {
      it->second = transpose(operand, perm, shape);
      insert(&user, it->second);
      return it->second;
    }
    Perm dims = *operand->attrs().get<std::vector<int64_t>>("dimensions");
    relabel(inverse(perm), dims);
    // A broadcast that only the chain reads is rebuilt in place; one read outside too is copied.
    const bool chain_only = operand != computation_.root() &&
                            std::ranges::all_of(operand->users(), [&](const Instruction* u) {
                              return plan_.permuted(u) && u->op() != Op::Convolution;
                            });
    it->second = chain_only
                     ? operand
                     : new Instruction(Op::Broadcast, shape, module_.fresh_name(operand->name()));
    it->second->attrs().set("dimensions", dims);
    it->second->set_shape(shape);
    if (chain_only) return operand;
    it->second->append_operand(operand->operand(0));
    insert(&user, it->second);
    return it->second;
  }

  void permute_member(Instruction& member) {
    const Perm perm = feature_last(rank_of(member));
    for (int64_t i = 0; i < member.operand_count(); ++i) {
      if (reads_in_chain_order(member, i)) {
        member.replace_operand(i, in_chain_order(member.operand(i), perm, member));
      }
    }
    // A reduce-window's (or select-and-scatter's) window has one entry per operand dim; a
    // convolution's has one per spatial dim, which keeps its number.
    const auto* window = member.attrs().get<ir::Window>("window");
    if (window != nullptr && member.op() != Op::Convolution) {
      ir::Window moved;
      for (const int64_t d : perm) moved.dims.push_back(window->dims[static_cast<size_t>(d)]);
      member.attrs().set("window", moved);
    }
    if (member.op() == Op::Convolution) relabel_convolution(member, /*output_permuted=*/true);
    member.set_shape(permuted(member.shape(), perm));
  }

  // A convolution reads permuted operands (and writes a permuted result) by relabelling them: the
  // input's, kernel's and output's roles move to the dims where the permutation put them.
  void relabel_convolution(Instruction& conv, bool output_permuted) {
    auto labels = *conv.attrs().get<ir::ConvDimLabels>("dim_labels");
    bool changed = output_permuted;
    if (output_permuted) {
      const Perm position = inverse(feature_last(rank_of(conv)));
      relabel(position, labels.output_batch);
      relabel(position, labels.output_feature);
      relabel(position, labels.output_spatial);
    }
    if (plan_.permuted(conv.operand(0))) {
      const Perm position = inverse(feature_last(rank_of(*conv.operand(0))));
      relabel(position, labels.input_batch);
      relabel(position, labels.input_feature);
      relabel(position, labels.input_spatial);
      changed = true;
    }
    if (plan_.permuted(conv.operand(1))) {
      const Perm position = inverse(feature_last(rank_of(*conv.operand(1))));
      relabel(position, labels.kernel_input_feature);
      relabel(position, labels.kernel_output_feature);
      relabel(position, labels.kernel_spatial);
      changed = true;
    }
    if (changed) conv.attrs().set("dim_labels", labels);
  }

  // A user outside every permuted chain: convolutions and order-keeping reduces absorb permuted
  // operands; everything else reads them transposed back (once per operand).
  bool restore_operands(Instruction& user) {
    bool changed = false;
    if (user.op() == Op::Convolution) {
      const bool any = plan_.permuted(user.operand(0)) || plan_.permuted(user.operand(1));
      relabel_convolution(user, /*output_permuted=*/false);
      return any;
    }
    for (int64_t i = 0; i < user.operand_count(); ++i) {
      Instruction* operand = user.operand(i);
      if (!plan_.permuted(operand)) continue;
      const Perm perm = feature_last(rank_of(*operand));
      changed = true;
      if (const std::optional<Perm> dims = reduce_dims_after(user, perm)) {
        user.attrs().set("dimensions", *dims);
        continue;
      }
      auto [it, inserted] = out_of_chain_.try_emplace(operand, nullptr);
      if (inserted) {
        it->second = transpose(operand, inverse(perm), permuted(operand->shape(), inverse(perm)));
        insert(&user, it->second);
      }
      user.replace_operand(i, it->second);
    }
    return changed;
  }

  ir::Module& module_;
  ir::Computation& computation_;
  const Plan& plan_;
  std::unordered_map<const Instruction*, Instruction*> into_chain_;
  std::unordered_map<const Instruction*, Instruction*> out_of_chain_;
};

}  // namespace

Result<bool> LayoutAssignment::run(ir::Module& module) {
  std::string log;
  bool changed = false;
  std::vector<ir::Computation*> computations;
  for (const auto& computation : module.computations()) computations.push_back(computation.get());
  for (ir::Computation* computation : computations) {
    const Plan plan(*computation);
    log += plan.log();
    changed = Rewriter(module, *computation, plan).run() || changed;
  }
  // run_passes runs a pass until it changes nothing: the round that decided keeps the log.
  if (changed || log_.empty()) log_ = std::move(log);
  return changed;
}

}  // namespace hlocc::passes
