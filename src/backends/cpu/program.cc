#include "backends/cpu/program.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "backends/cpu/steps.h"
#include "ir/clone.h"
#include "ir/custom_call.h"
#include "ir/op_rules.h"
#include "ir/printer.h"
#include "passes/buffer_assignment.h"

namespace hlocc::cpu {
namespace {

constexpr int64_t kAlignment = 64;

// The array leaves of a shape, depth first (a tuple's elements in order).
void flatten(const ir::Shape& shape, std::vector<ir::Shape>& leaves) {
  if (!shape.is_tuple()) {
    leaves.push_back(shape);
    return;
  }
  for (const ir::Shape& element : shape.tuple_shapes()) flatten(element, leaves);
}

std::vector<ir::Shape> leaf_shapes(const ir::Shape& shape) {
  std::vector<ir::Shape> leaves;
  flatten(shape, leaves);
  return leaves;
}

// The leaves of tuple element `index` among the flattened leaves of `shape`: [begin, end).
std::pair<size_t, size_t> element_leaf_range(const ir::Shape& shape, int64_t index) {
  size_t begin = 0;
  for (int64_t i = 0; i < index; ++i) begin += leaf_shapes(shape.tuple_shape(i)).size();
  return {begin, begin + leaf_shapes(shape.tuple_shape(index)).size()};
}

// Whether an array's bytes are in row-major order (no layout, or the default one).
bool is_row_major(const ir::Shape& shape) {
  const std::vector<int64_t> order = shape.major_to_minor();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

std::string_view custom_call_target(const ir::Instruction& inst) {
  const std::string* target = inst.attrs().get<std::string>("custom_call_target");
  return target ? std::string_view(*target) : std::string_view();
}

// A computation in `scratch` that runs one instruction on parameters standing for its operands:
// how an unfused instruction becomes a loop kernel.
const ir::Computation& wrap_instruction(const ir::Instruction& inst, ir::Module& scratch) {
  auto computation =
      std::make_unique<ir::Computation>(scratch.fresh_name("wrapped." + inst.name()));
  std::vector<ir::Instruction*> parameters;
  for (int64_t i = 0; i < inst.operand_count(); ++i) {
    auto parameter = std::make_unique<ir::Instruction>(ir::Op::Parameter, inst.operand(i)->shape(),
                                                       "p" + std::to_string(i));
    parameter->set_parameter_number(i);
    parameters.push_back(computation->add(std::move(parameter)));
  }
  computation->add(ir::clone_instruction(inst, inst.name(), parameters));
  return *scratch.add_computation(std::move(computation));
}

// Which results may be written over a dying operand: generated loops read each element of such
// an operand only where they write (the buffer assignment checks that), and a while keeps its
// state in its initial value's bytes. oneDNN primitives, sort and scatter get fresh buffers.
bool may_reuse_operand_buffer(const ir::Instruction& user, int64_t operand) {
  if (user.op() == ir::Op::While) return true;
  if (user.op() == ir::Op::Convolution || user.op() == ir::Op::Dot) return false;
  const std::string* kind = user.attrs().get<std::string>("kind");
  if (user.op() == ir::Op::Fusion && (kind == nullptr || *kind != "kLoop")) return false;
  return passes::elementwise_may_reuse_operand(user, operand);
}

}  // namespace

void CompileContext::request(const ir::Computation& computation, KernelRequest::Kind kind,
                             std::function<void(const CompiledKernel&)> done) {
  const std::string structure =
      std::to_string(static_cast<int>(kind)) + "\n" + ir::print_structure(computation);
  const auto [found, added] = request_by_structure.emplace(structure, requests.size());
  if (added) {
    requests.push_back({&computation, kind, "k" + std::to_string(requests.size())});
    on_compiled.emplace_back();
  }
  on_compiled[found->second].push_back(std::move(done));
}

Status CompileContext::compile_kernels(Jit& jit) {
  if (requests.empty()) return ok_status();
  HLOCC_TRY(const std::vector<CompiledKernel> kernels, jit.compile(requests));
  for (size_t i = 0; i < kernels.size(); ++i) {
    for (const auto& done : on_compiled[i]) done(kernels[i]);
  }
  requests.clear();
  on_compiled.clear();
  request_by_structure.clear();
  return ok_status();
}

// Builds one Program: gives every array value leaf ids, lays the arena out, and emits a step per
// instruction that computes something.
class ProgramBuilder {
 public:
  ProgramBuilder(const ir::Computation& computation, CompileContext& context)
      : computation_(computation), context_(context), program_(new Program()) {}

  Result<std::unique_ptr<Program>> build(bool own_results);

 private:
  struct Leaf {
    int64_t offset = -1;  // in the arena; -1 for parameters and constants
    int64_t bytes = 0;
    const void* constant = nullptr;
  };

  // Leaves for `inst`'s result, placed where the buffer assignment put them.
  std::vector<int64_t> new_leaves(const ir::Instruction& inst);
  // A leaf of `bytes` above the assigned arena (copies of a loop body's results).
  int64_t extra_leaf(int64_t bytes);
  const std::vector<int64_t>& leaves(const ir::Instruction* inst) { return values_.at(inst); }
  std::vector<int64_t> operand_leaves(const ir::Instruction& inst);
  std::vector<int64_t> leaf_bytes(const std::vector<int64_t>& ids) const;
  Status lower(const ir::Instruction& inst);
  Status lower_loop(const ir::Instruction& inst, const ir::Computation& computation);
  Status lower_while(const ir::Instruction& inst);
  Status lower_branches(const ir::Instruction& inst, int64_t index_leaf,
                        const std::vector<ir::Computation*>& computations,
                        std::vector<std::vector<int64_t>> operands);
  void finish(bool own_results);

  const ir::Computation& computation_;
  CompileContext& context_;
  std::unique_ptr<Program> program_;
  std::vector<Leaf> leaves_;
  std::unordered_map<const ir::Instruction*, std::vector<int64_t>> values_;
  passes::BufferAssignment assignment_;
  int64_t arena_top_ = 0;
};

std::vector<int64_t> ProgramBuilder::new_leaves(const ir::Instruction& inst) {
  const std::vector<passes::BufferSlot>& slots = assignment_.slots.at(&inst);
  std::vector<int64_t> ids;
  for (const passes::BufferSlot& slot : slots) {
    HLOCC_CHECK(slot.kind == passes::BufferSlot::Kind::Arena && !slot.view)
        << inst.name() << ": the buffer assignment did not give it arena bytes";
    ids.push_back(static_cast<int64_t>(leaves_.size()));
    leaves_.push_back({.offset = slot.offset, .bytes = slot.size});
  }
  return ids;
}

int64_t ProgramBuilder::extra_leaf(int64_t bytes) {
  leaves_.push_back({.offset = arena_top_, .bytes = bytes});
  arena_top_ += (bytes + kAlignment - 1) / kAlignment * kAlignment;
  return static_cast<int64_t>(leaves_.size()) - 1;
}

std::vector<int64_t> ProgramBuilder::operand_leaves(const ir::Instruction& inst) {
  std::vector<int64_t> ids;
  for (const ir::Instruction* operand : inst.operands()) {
    const std::vector<int64_t>& operand_ids = leaves(operand);
    ids.insert(ids.end(), operand_ids.begin(), operand_ids.end());
  }
  return ids;
}

std::vector<int64_t> ProgramBuilder::leaf_bytes(const std::vector<int64_t>& ids) const {
  std::vector<int64_t> bytes;
  for (int64_t id : ids) bytes.push_back(leaves_[static_cast<size_t>(id)].bytes);
  return bytes;
}

Status ProgramBuilder::lower_loop(const ir::Instruction& inst, const ir::Computation& computation) {
  const std::vector<int64_t> outputs = new_leaves(inst);
  values_[&inst] = outputs;
  const int64_t elements = leaf_shapes(inst.shape()).front().element_count();
  auto step = std::make_unique<LoopStep>(inst.name(), operand_leaves(inst), outputs, elements,
                                         context_.threads);
  LoopStep* raw = step.get();
  context_.request(computation, KernelRequest::Kind::Loop,
                   [raw](const CompiledKernel& kernel) { raw->set_kernel(kernel.loop); });
  program_->steps_.push_back(std::move(step));
  return ok_status();
}

Status ProgramBuilder::lower_while(const ir::Instruction& inst) {
  const ir::Computation* condition = *inst.attrs().get<ir::Computation*>("condition");
  const ir::Computation* body = *inst.attrs().get<ir::Computation*>("body");
  HLOCC_TRY(std::unique_ptr<Program> condition_program,
            Program::compile(*condition, context_, /*own_results=*/false));
  HLOCC_TRY(std::unique_ptr<Program> body_program,
            Program::compile(*body, context_, /*own_results=*/true));
  const std::vector<int64_t> state = new_leaves(inst);
  values_[&inst] = state;
  program_->steps_.push_back(std::make_unique<WhileStep>(
      inst.name(), std::move(condition_program), std::move(body_program), operand_leaves(inst),
      state, leaf_bytes(state)));
  return ok_status();
}

Status ProgramBuilder::lower_branches(const ir::Instruction& inst, int64_t index_leaf,
                                      const std::vector<ir::Computation*>& computations,
                                      std::vector<std::vector<int64_t>> operands) {
  std::vector<std::unique_ptr<Program>> programs;
  for (const ir::Computation* branch : computations) {
    HLOCC_TRY(std::unique_ptr<Program> program,
              Program::compile(*branch, context_, /*own_results=*/false));
    programs.push_back(std::move(program));
  }
  const std::vector<int64_t> outputs = new_leaves(inst);
  values_[&inst] = outputs;
  const DType index_dtype = index_leaf >= 0 ? inst.operand(0)->shape().dtype() : DType::S32;
  program_->steps_.push_back(std::make_unique<BranchStep>(inst.name(), index_leaf, index_dtype,
                                                          std::move(programs), std::move(operands),
                                                          outputs, leaf_bytes(outputs)));
  return ok_status();
}

Status ProgramBuilder::lower(const ir::Instruction& inst) {
  using ir::Op;
  const Op op = inst.op();
  if (op == Op::Parameter) return ok_status();  // leaves made in build()
  if (op == Op::Constant) {
    std::vector<const ir::Literal*> literals;
    std::function<void(const ir::Literal&)> collect = [&](const ir::Literal& literal) {
      if (!literal.shape().is_tuple()) return literals.push_back(&literal);
      for (const ir::Literal& element : literal.elements()) collect(element);
    };
    collect(inst.literal());
    std::vector<int64_t> ids;
    for (const ir::Literal* literal : literals) {
      ids.push_back(static_cast<int64_t>(leaves_.size()));
      leaves_.push_back({.offset = -1, .bytes = literal->raw_size(), .constant = literal->raw()});
    }
    values_[&inst] = ids;
    return ok_status();
  }
  // Views: no code, the same bytes (the buffer assignment makes the same choice).
  const bool row_major_reshape = (op == Op::Reshape || op == Op::Bitcast) &&
                                 is_row_major(inst.shape()) &&
                                 is_row_major(inst.operand(0)->shape());
  if (op == Op::Tuple || op == Op::OptimizationBarrier || row_major_reshape) {
    values_[&inst] = operand_leaves(inst);
    return ok_status();
  }
  if (op == Op::GetTupleElement) {
    const std::vector<int64_t>& all = leaves(inst.operand(0));
    const auto [begin, end] =
        element_leaf_range(inst.operand(0)->shape(), *inst.attrs().get<int64_t>("index"));
    values_[&inst] = std::vector<int64_t>(all.begin() + static_cast<int64_t>(begin),
                                          all.begin() + static_cast<int64_t>(end));
    return ok_status();
  }
  if (op == Op::While) return lower_while(inst);
  const bool stop_gradient =
      op == Op::CustomCall && custom_call_target(inst) == ir::kStopGradientTarget;
  if ((op == Op::Copy && inst.shape().is_tuple()) || stop_gradient) {
    const std::vector<int64_t> outputs = new_leaves(inst);
    values_[&inst] = outputs;
    program_->steps_.push_back(
        std::make_unique<CopyStep>(operand_leaves(inst), outputs, leaf_bytes(outputs)));
    return ok_status();
  }
  if (op == Op::Conditional) {
    std::vector<ir::Computation*> branches;
    if (const auto* list = inst.attrs().get<std::vector<ir::Computation*>>("branch_computations")) {
      branches = *list;
    } else {
      branches = {*inst.attrs().get<ir::Computation*>("true_computation"),
                  *inst.attrs().get<ir::Computation*>("false_computation")};
    }
    std::vector<std::vector<int64_t>> operands;
    for (size_t i = 0; i < branches.size(); ++i) operands.push_back(leaves(inst.operand(i + 1)));
    return lower_branches(inst, leaves(inst.operand(0)).front(), branches, std::move(operands));
  }
  if (op == Op::Call || op == Op::CustomCall) {
    const std::vector<ir::Computation*> called = inst.called_computations();
    if (op == Op::CustomCall && custom_call_target(inst) != ir::kCustomVjpTarget) {
      return Error(inst.name() + ": custom-call target \"" + std::string(custom_call_target(inst)) +
                   "\" has no CPU implementation; hint: hlocc knows " +
                   std::string(ir::kStopGradientTarget) + " and " +
                   std::string(ir::kCustomVjpTarget));
    }
    // custom_vjp's forward function is its first called computation; call has one.
    return lower_branches(inst, -1, {called.front()}, {operand_leaves(inst)});
  }
  if (op == Op::Sort || op == Op::Scatter || op == Op::RngBitGenerator) {
    const std::vector<int64_t> outputs = new_leaves(inst);
    values_[&inst] = outputs;
    std::vector<int64_t> inputs = operand_leaves(inst);
    program_->steps_.push_back(
        op == Op::Sort      ? make_sort_step(inst, std::move(inputs), outputs, context_)
        : op == Op::Scatter ? make_scatter_step(inst, std::move(inputs), outputs, context_)
                            : make_rng_step(inst, std::move(inputs), outputs));
    return ok_status();
  }
  if (op == Op::Convolution || op == Op::Dot || op == Op::Fusion) {
    Result<std::unique_ptr<DnnKernel>> kernel = make_dnn_kernel(inst, context_.dnn);
    if (kernel.ok()) {
      const std::vector<int64_t> outputs = new_leaves(inst);
      values_[&inst] = outputs;
      program_->steps_.push_back(std::make_unique<DnnStep>(inst.name(), std::move(*kernel),
                                                           operand_leaves(inst), outputs.front()));
      return ok_status();
    }
  }
  if (op == Op::Fusion) return lower_loop(inst, **inst.attrs().get<ir::Computation*>("calls"));
  return lower_loop(inst, wrap_instruction(inst, context_.scratch));
}

void ProgramBuilder::finish(bool own_results) {
  Program& program = *program_;
  std::vector<int64_t> roots = leaves(computation_.root());
  if (own_results) {
    // A root leaf that is a parameter, a constant or a repeat of another root leaf gets a copy.
    std::vector<int64_t> from, to;
    std::vector<bool> seen(leaves_.size(), false);
    for (int64_t& root : roots) {
      const bool arena_computed = leaves_[static_cast<size_t>(root)].offset >= 0 &&
                                  leaves_[static_cast<size_t>(root)].constant == nullptr;
      if (arena_computed && !seen[static_cast<size_t>(root)]) {
        seen[static_cast<size_t>(root)] = true;
        continue;
      }
      const int64_t copy = extra_leaf(leaves_[static_cast<size_t>(root)].bytes);
      seen.push_back(true);
      from.push_back(root);
      to.push_back(copy);
      root = copy;
    }
    if (!from.empty()) {
      program.steps_.push_back(std::make_unique<CopyStep>(from, to, leaf_bytes(to)));
    }
  }
  program.root_leaves_ = roots;
  const int64_t offset = arena_top_;
  program.arena_bytes_ = offset;
  program.arena_.resize(static_cast<size_t>(offset));
  program.slots_.assign(leaves_.size(), nullptr);
  for (size_t i = 0; i < leaves_.size(); ++i) {
    const Leaf& leaf = leaves_[i];
    if (leaf.constant != nullptr) {
      program.slots_[i] = const_cast<void*>(leaf.constant);
    } else if (leaf.offset >= 0) {
      program.slots_[i] = program.arena_.data() + leaf.offset;
    }
  }
  program.root_leaf_shapes_ = leaf_shapes(computation_.result_shape());
  program.results_.assign(roots.size(), nullptr);
}

Result<std::unique_ptr<Program>> ProgramBuilder::build(bool own_results) {
  Program& program = *program_;
  program.name_ = computation_.name();
  HLOCC_TRY(assignment_, passes::assign_buffers(
                             computation_, {.may_reuse_operand_buffer = may_reuse_operand_buffer,
                                            .alignment = kAlignment}));
  arena_top_ = assignment_.arena_bytes;
  for (const ir::Instruction* parameter : computation_.parameters()) {
    std::vector<int64_t> ids;
    for (const ir::Shape& shape : leaf_shapes(parameter->shape())) {
      ids.push_back(static_cast<int64_t>(leaves_.size()));
      leaves_.push_back({.offset = -1, .bytes = shape.byte_size()});
    }
    program.parameter_leaves_.insert(program.parameter_leaves_.end(), ids.begin(), ids.end());
    for (const ir::Shape& shape : leaf_shapes(parameter->shape())) {
      program.parameter_leaf_shapes_.push_back(shape);
    }
    values_[parameter] = std::move(ids);
  }
  for (const ir::Instruction* inst : assignment_.schedule) HLOCC_TRY_STATUS(lower(*inst));
  finish(own_results);
  return std::move(program_);
}

Result<std::unique_ptr<Program>> Program::compile(const ir::Computation& computation,
                                                  CompileContext& context, bool own_results) {
  return ProgramBuilder(computation, context).build(own_results);
}

std::span<void* const> Program::run(std::span<void* const> parameter_leaves) {
  for (size_t i = 0; i < parameter_leaves.size(); ++i) {
    slots_[static_cast<size_t>(parameter_leaves_[i])] = parameter_leaves[i];
  }
  ++runs_;
  if (profiling()) {
    step_seconds_.resize(steps_.size());
    for (size_t i = 0; i < steps_.size(); ++i) {
      mark_step_boundary();
      const auto start = std::chrono::steady_clock::now();
      steps_[i]->run(slots_);
      step_seconds_[i] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } else {
    for (const std::unique_ptr<Step>& step : steps_) {
      mark_step_boundary();
      step->run(slots_);
    }
  }
  mark_step_boundary();
  for (size_t i = 0; i < root_leaves_.size(); ++i) {
    results_[i] = slots_[static_cast<size_t>(root_leaves_[i])];
  }
  return results_;
}

std::string Program::describe() const {
  std::string text = "program " + name_ + " (arena " + std::to_string(arena_bytes_) + " bytes, " +
                     std::to_string(runs_) + " runs)\n";
  for (size_t i = 0; i < steps_.size(); ++i) {
    char time[32] = "";
    if (i < step_seconds_.size())
      std::snprintf(time, sizeof(time), "%9.3f ms  ", 1e3 * step_seconds_[i]);
    text += std::string("  ") + time + steps_[i]->describe() + "\n";
  }
  return text;
}

bool profiling() {
  static const bool enabled = [] {
    const char* flag = std::getenv("HLOCC_PROFILE");
    return flag != nullptr && *flag != '\0' && std::string_view(flag) != "0";
  }();
  return enabled;
}

}  // namespace hlocc::cpu
