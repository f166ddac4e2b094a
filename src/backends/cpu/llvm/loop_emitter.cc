// The structure half of IrEmitter: kernel functions (row loops over the result, scalar
// functions), the recursive generation of elements through the ops' elemental rules with its
// (instruction, index) cache, parameters and constants, and the builder's loops, branches and
// calls. A cached value is only reused where it dominates: scopes open at every loop body and
// branch and close after it.
#include <llvm/IR/MDBuilder.h>

#include <typeinfo>

#include "backends/cpu/llvm/emitter.h"
#include "ir/op_rules.h"

namespace hlocc::cpu::detail {

using ir::DType;
using ir::EIndex;
using ir::EValue;

IrEmitter::IrEmitter(llvm::Module& module, const VectorLibrary& vector_library)
    : module_(module),
      context_(module.getContext()),
      b_(module.getContext()),
      vector_library_(vector_library) {}

const ir::Instruction& IrEmitter::instruction() const {
  HLOCC_CHECK(!current_.empty()) << "instruction() outside an elemental rule";
  return *current_.back();
}

EValue IrEmitter::operand(int64_t i, const EIndex& index, int64_t tuple_index) {
  const std::vector<EValue> values = generate(*instruction().operand(i), index);
  return values.at(static_cast<size_t>(tuple_index < 0 ? 0 : tuple_index));
}

void IrEmitter::set_failure(Error error) {
  if (!failure_) failure_ = std::move(error);
}

const std::vector<EValue>* IrEmitter::lookup(const CacheKey& key) const {
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    const auto found = scope->values.find(key);
    if (found != scope->values.end()) return &found->second;
    if (scope->barrier) break;
  }
  return nullptr;
}

std::vector<EValue> IrEmitter::generate(const ir::Instruction& inst, const EIndex& index) {
  CacheKey key{&inst, {}};
  for (const EValue& coordinate : index) key.second.push_back(v(coordinate));
  if (const std::vector<EValue>* cached = lookup(key)) return *cached;
  std::vector<EValue> values = generate_uncached(inst, index);
  scopes_.back().values.emplace(std::move(key), values);
  return values;
}

namespace {

// The type of lowered_by_backend()'s function: such ops (tuple, while, sort, ...) have no element.
const std::type_info& lowered_by_backend_type() {
  static const std::type_info& type = ir::lowered_by_backend().target_type();
  return type;
}

}  // namespace

// Leaves and tuple plumbing are the emitter's (their rule is lowered_by_backend); every other
// op's element comes from its rule. After a failure, undef values of the right types keep the
// emission going until the kernel reports the error.
std::vector<EValue> IrEmitter::generate_uncached(const ir::Instruction& inst, const EIndex& index) {
  const auto undef = [&] {
    std::vector<EValue> values;
    const auto add = [&](const ir::Shape& s) {
      values.push_back({llvm::UndefValue::get(value_type(s.dtype())), s.dtype()});
    };
    if (inst.shape().is_tuple()) {
      for (const ir::Shape& element : inst.shape().tuple_shapes()) add(element);
    } else {
      add(inst.shape());
    }
    return values;
  };
  if (failure_ || inst.shape().is_token()) return failure_ ? undef() : std::vector<EValue>{};
  if (inst.op() == ir::Op::Parameter) return {parameter_element(inst, index)};
  if (inst.op() == ir::Op::Constant) return {literal_element(inst.literal(), index)};
  if (inst.op() == ir::Op::GetTupleElement) {
    const int64_t* tuple_index = inst.attrs().get<int64_t>("index");
    HLOCC_CHECK(tuple_index) << inst.name() << ": get-tuple-element without an index";
    return {generate(*inst.operand(0), index).at(static_cast<size_t>(*tuple_index))};
  }
  const ir::ElementalRule& rule = ir::op_rules(inst.op()).elemental;
  if (!rule || rule.target_type() == lowered_by_backend_type()) {
    set_failure(Error(std::string(inst.info().name) +
                      ": no elemental rule, so the CPU backend "
                      "cannot fuse it into a loop; got " +
                      inst.name() + " " + inst.shape().to_string(false)));
    return undef();
  }
  current_.push_back(&inst);
  Result<std::vector<EValue>> values = rule(*this, index);
  current_.pop_back();
  if (!values.ok()) {
    set_failure(values.error());
    return undef();
  }
  return std::move(values).value();
}

EValue IrEmitter::parameter_element(const ir::Instruction& inst, const EIndex& index) {
  const Frame& frame = frames_.back();
  const size_t number = static_cast<size_t>(inst.parameter_number());
  if (!frame.parameter_values.empty()) return frame.parameter_values.at(number);
  const ir::Shape& shape = inst.shape();
  llvm::Value* address =
      b_.CreateInBoundsGEP(memory_type(shape.dtype()), frame.parameter_pointers.at(number),
                           element_offset(shape.dims(), index));
  return load(shape.dtype(), address, static_cast<int>(number));
}

// Flat kernels index every array by its position in the flat sequence (scalars by nothing).
llvm::Value* IrEmitter::element_offset(const std::vector<int64_t>& dims, const EIndex& index) {
  if (index.empty()) return b_.getInt64(0);
  if (flat_) return v(index[0]);
  HLOCC_CHECK(index.size() == dims.size())
      << "index of rank " << index.size() << " for rank " << dims.size();
  llvm::Value* offset = nullptr;
  int64_t stride = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    llvm::Value* term =
        stride == 1 ? v(index[d]) : b_.CreateNSWMul(v(index[d]), b_.getInt64(stride));
    offset = offset ? b_.CreateNSWAdd(term, offset) : term;
    stride *= dims[d];
  }
  return offset;
}

EValue IrEmitter::literal_element(const ir::Literal& literal, const EIndex& index) {
  const DType dtype = literal.shape().dtype();
  if (literal.element_count() == 1) return {literal_constant(literal, 0), dtype};
  llvm::Value* offset = element_offset(literal.shape().dims(), index);
  if (auto* known = llvm::dyn_cast<llvm::ConstantInt>(offset)) {
    return {literal_constant(literal, known->getSExtValue()), dtype};
  }
  llvm::GlobalVariable* global = literal_global(literal);
  return load(dtype, b_.CreateInBoundsGEP(memory_type(dtype), global, offset));
}

llvm::GlobalVariable* IrEmitter::literal_global(const ir::Literal& literal) {
  const DType dtype = literal.shape().dtype();
  std::string key(ir::dtype_name(dtype));
  key.append(reinterpret_cast<const char*>(literal.raw()), static_cast<size_t>(literal.raw_size()));
  llvm::GlobalVariable*& global = literal_globals_[key];
  if (global) return global;
  // Raw little-endian bytes in the memory layout (pred bytes, f16 bits, complex pairs).
  llvm::Constant* bytes =
      llvm::ConstantDataArray::getRaw(llvm::StringRef(reinterpret_cast<const char*>(literal.raw()),
                                                      static_cast<size_t>(literal.raw_size())),
                                      static_cast<uint64_t>(literal.raw_size()), b_.getInt8Ty());
  global = new llvm::GlobalVariable(module_, bytes->getType(), /*isConstant=*/true,
                                    llvm::GlobalValue::PrivateLinkage, bytes, "literal");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  global->setAlignment(llvm::Align(64));
  return global;
}

// ---- Loops, branches, calls ----

std::vector<EValue> IrEmitter::counted_loop(llvm::Value* begin, llvm::Value* end,
                                            std::vector<EValue> carried, const CountedBody& body,
                                            bool vectorize) {
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::BasicBlock* preheader = b_.GetInsertBlock();
  auto* header = llvm::BasicBlock::Create(context_, "loop.header", function);
  auto* body_block = llvm::BasicBlock::Create(context_, "loop.body", function);
  auto* exit = llvm::BasicBlock::Create(context_, "loop.exit", function);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* i = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
  i->addIncoming(begin, preheader);
  std::vector<llvm::PHINode*> phis;
  std::vector<EValue> current;
  for (const EValue& value : carried) {
    phis.push_back(b_.CreatePHI(v(value)->getType(), 2));
    phis.back()->addIncoming(v(value), preheader);
    current.push_back({phis.back(), value.dtype});
  }
  b_.CreateCondBr(b_.CreateICmpSLT(i, end), body_block, exit);
  b_.SetInsertPoint(body_block);
  scopes_.emplace_back();
  const std::vector<EValue> next = body(i, current);
  scopes_.pop_back();
  HLOCC_CHECK(next.size() == carried.size())
      << "loop body returned " << next.size() << " values for " << carried.size();
  llvm::Value* i_next = b_.CreateNSWAdd(i, b_.getInt64(1));
  llvm::BranchInst* latch = b_.CreateBr(header);
  i->addIncoming(i_next, b_.GetInsertBlock());
  for (size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(v(next[k]), b_.GetInsertBlock());
  if (vectorize) {
    llvm::Metadata* enable[] = {llvm::MDString::get(context_, "llvm.loop.vectorize.enable"),
                                llvm::ConstantAsMetadata::get(b_.getTrue())};
    llvm::MDNode* loop_id =
        llvm::MDNode::getDistinct(context_, {nullptr, llvm::MDNode::get(context_, enable)});
    loop_id->replaceOperandWith(0, loop_id);
    latch->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
  }
  b_.SetInsertPoint(exit);
  return current;
}

std::vector<EValue> IrEmitter::loop_dims(const std::vector<int64_t>& bounds, EIndex& index,
                                         std::vector<EValue> carried, const LoopBody& body) {
  if (index.size() == bounds.size()) return body(index, carried);
  const int64_t bound = bounds[index.size()];
  return counted_loop(b_.getInt64(0), b_.getInt64(bound), std::move(carried),
                      [&](llvm::Value* i, const std::vector<EValue>& values) {
                        index.push_back({i, DType::S64});
                        std::vector<EValue> next = loop_dims(bounds, index, values, body);
                        index.pop_back();
                        return next;
                      });
}

std::vector<EValue> IrEmitter::loop(const std::vector<int64_t>& bounds, std::vector<EValue> carried,
                                    const LoopBody& body) {
  EIndex index;
  return loop_dims(bounds, index, std::move(carried), body);
}

std::vector<EValue> IrEmitter::if_else(EValue condition, const Branch& then_branch,
                                       const Branch& else_branch) {
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  auto* then_block = llvm::BasicBlock::Create(context_, "then", function);
  auto* else_block = llvm::BasicBlock::Create(context_, "else", function);
  auto* merge = llvm::BasicBlock::Create(context_, "merge", function);
  b_.CreateCondBr(v(condition), then_block, else_block);
  const auto emit_branch = [&](llvm::BasicBlock* block, const Branch& branch) {
    b_.SetInsertPoint(block);
    scopes_.emplace_back();
    std::vector<EValue> values = branch();
    scopes_.pop_back();
    llvm::BasicBlock* end = b_.GetInsertBlock();
    b_.CreateBr(merge);
    return std::make_pair(values, end);
  };
  const auto [then_values, then_end] = emit_branch(then_block, then_branch);
  const auto [else_values, else_end] = emit_branch(else_block, else_branch);
  HLOCC_CHECK(then_values.size() == else_values.size()) << "if_else: branches differ in arity";
  b_.SetInsertPoint(merge);
  std::vector<EValue> merged;
  for (size_t k = 0; k < then_values.size(); ++k) {
    llvm::PHINode* phi = b_.CreatePHI(v(then_values[k])->getType(), 2);
    phi->addIncoming(v(then_values[k]), then_end);
    phi->addIncoming(v(else_values[k]), else_end);
    merged.push_back({phi, then_values[k].dtype});
  }
  return merged;
}

std::vector<EValue> IrEmitter::root_values(const ir::Computation& computation,
                                           const EIndex& index) {
  const ir::Instruction& root = *computation.root();
  if (root.op() != ir::Op::Tuple) return generate(root, index);
  std::vector<EValue> values;
  for (const ir::Instruction* element : root.operands()) {
    values.push_back(generate(*element, index).at(0));
  }
  return values;
}

std::vector<EValue> IrEmitter::call(const ir::Computation& computation,
                                    std::span<const EValue> args) {
  frames_.push_back({&computation, {}, std::vector<EValue>(args.begin(), args.end())});
  scopes_.push_back({.barrier = true, .values = {}});
  std::vector<EValue> values = root_values(computation, {});
  scopes_.pop_back();
  frames_.pop_back();
  return values;
}

// ---- Kernel functions ----

llvm::Function* IrEmitter::begin_function(const std::string& name, int arguments) {
  std::vector<llvm::Type*> types(2, b_.getPtrTy());
  if (arguments == 4) types.insert(types.end(), 2, b_.getInt64Ty());
  auto* type = llvm::FunctionType::get(b_.getVoidTy(), types, false);
  auto* function = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, module_);
  function->addFnAttr(llvm::Attribute::NoUnwind);
  // Skylake-class tuning prefers 256-bit vectors; fused math (exp, tanh) gains from 512.
  function->addFnAttr("prefer-vector-width", "512");
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", function));
  failure_.reset();
  scopes_.assign(1, CacheScope{});
  return function;
}

void IrEmitter::tag_alias(llvm::Instruction* access, int buffer) {
  if (buffer < 0 || alias_scopes_.empty()) return;
  std::vector<llvm::Metadata*> others;
  for (int k = 0; k < static_cast<int>(alias_scopes_.size()); ++k) {
    // Inputs never alias outputs (nor outputs each other); inputs may alias inputs.
    const bool input = buffer < input_count_;
    if (k != buffer && (!input || k >= input_count_)) others.push_back(alias_scopes_[k]);
  }
  access->setMetadata(llvm::LLVMContext::MD_alias_scope,
                      llvm::MDNode::get(context_, {alias_scopes_[buffer]}));
  access->setMetadata(llvm::LLVMContext::MD_noalias, llvm::MDNode::get(context_, others));
}

namespace {

Status check_loop_computation(const ir::Computation& computation) {
  const ir::Shape& root = computation.result_shape();
  const auto fail = [&](const std::string& what) {
    return Error("cpu loop kernel " + computation.name() + ": " + what);
  };
  for (const ir::Instruction* parameter : computation.parameters()) {
    if (!parameter || !parameter->shape().is_array()) return fail("parameters must be arrays");
  }
  if (ir::row_reduction_root(computation) != nullptr) return ok_status();
  if (root.is_tuple()) {
    if (root.tuple_size() == 0) return fail("the root tuple is empty");
    for (const ir::Shape& element : root.tuple_shapes()) {
      if (!element.is_array() || element.dims() != root.tuple_shape(0).dims()) {
        return fail("root tuple elements must be arrays of equal dims (or a row reduction and its "
                    "input); got " + root.to_string());
      }
    }
  } else if (!root.is_array()) {
    return fail("the root must be an array; got " + root.to_string());
  }
  return ok_status();
}

// Every instruction elementwise on arrays of the result's dims (scalar operands and broadcast
// scalars aside): the kernel may then walk all arrays as one flat sequence.
bool is_flat(const ir::Computation& computation, const std::vector<int64_t>& dims) {
  for (const auto& inst : computation.instructions()) {
    const ir::Op op = inst->op();
    const bool leaf = op == ir::Op::Parameter || op == ir::Op::Constant;
    const bool same_width =
        op == ir::Op::BitcastConvert && ir::dtype_byte_size(inst->shape().dtype()) ==
                                            ir::dtype_byte_size(inst->operand(0)->shape().dtype());
    const bool scalar_broadcast = op == ir::Op::Broadcast && inst->operand(0)->shape().is_scalar();
    if (inst.get() == computation.root() && op == ir::Op::Tuple) continue;
    if (!leaf && !same_width && !scalar_broadcast && !inst->info().has(ir::kElementwise)) {
      return false;
    }
    if (!inst->shape().is_array()) return false;
    if (!inst->shape().is_scalar() && inst->shape().dims() != dims) return false;
  }
  return true;
}

const ir::Shape& first_result(const ir::Computation& computation) {
  const ir::Shape& root = computation.result_shape();
  return root.is_tuple() ? root.tuple_shape(0) : root;
}

}  // namespace

// A row-reduction root (ir::row_reduction_root: a bias gradient, [N, H, W, C] -> [C]), alone or
// with its input. Its elemental rule would walk each output element's inputs with a stride of a
// whole row; instead the row accumulates in the output, reduced dims outside and the contiguous
// dim inside, which visits each output element's inputs in the same order (the same sums, bit
// for bit) and every input element once, so the input can be stored on the way.
void IrEmitter::emit_row_reduction(const ir::Instruction& reduce, const EIndex& outer,
                                   llvm::Value* row_start, llvm::Value* length,
                                   std::span<llvm::Value* const> outputs) {
  const ir::Shape& operand = reduce.operand(0)->shape();
  const DType dtype = reduce.shape().dtype();
  std::vector<int64_t> reduced = *reduce.attrs().get<std::vector<int64_t>>("dimensions");
  std::sort(reduced.begin(), reduced.end());
  std::vector<int64_t> bounds;
  for (int64_t d : reduced) bounds.push_back(operand.dim(d));
  const ir::Computation& combiner = **reduce.attrs().get<ir::Computation*>("to_apply");
  const int buffer = input_count_;
  const auto element = [&](llvm::Value* j) {
    return b_.CreateInBoundsGEP(memory_type(dtype), outputs[0], b_.CreateNSWAdd(row_start, j));
  };
  const EValue init = generate(*reduce.operand(1), {})[0];
  counted_loop(
      b_.getInt64(0), length, {},
      [&](llvm::Value* j, const std::vector<EValue>&) {
        store(init, element(j), buffer);
        return std::vector<EValue>{};
      },
      /*vectorize=*/true);
  EIndex reduced_index;
  loop_dims(bounds, reduced_index, {}, [&](const EIndex& at, const std::vector<EValue>&) {
    counted_loop(
        b_.getInt64(0), length, {},
        [&](llvm::Value* j, const std::vector<EValue>&) {
          EIndex index;
          size_t next_reduced = 0, next_kept = 0;
          for (int64_t d = 0; d < operand.rank(); ++d) {
            if (next_reduced < reduced.size() && reduced[next_reduced] == d) {
              index.push_back(at[next_reduced++]);
            } else if (d == operand.rank() - 1) {
              index.push_back({j, DType::S64});
            } else {
              index.push_back(outer[next_kept++]);
            }
          }
          const EValue value = generate(*reduce.operand(0), index)[0];
          if (outputs.size() > 1) {  // the input too: tuple(reduce, input)
            store(value,
                  b_.CreateInBoundsGEP(memory_type(value.dtype), outputs[1],
                                       element_offset(operand.dims(), index)),
                  buffer + 1);
          }
          llvm::Value* address = element(j);
          const std::vector<EValue> args = {load(dtype, address, buffer), value};
          store(call(combiner, args)[0], address, buffer);
          return std::vector<EValue>{};
        },
        /*vectorize=*/true);
    return std::vector<EValue>{};
  });
}

// One row: [row * row_elements, ...) of the flat sequence, or row `row` of the outer dims with
// the innermost dim as the vectorised loop.
void IrEmitter::emit_rows(const ir::Computation& computation, const LoopShape& shape,
                          llvm::Value* row, const std::vector<llvm::Value*>& outputs) {
  const std::vector<int64_t>& dims = first_result(computation).dims();
  llvm::Value* row_start = b_.CreateNSWMul(row, b_.getInt64(shape.row_elements));
  llvm::Value* length = b_.getInt64(shape.row_elements);
  EIndex outer;
  if (flat_) {
    const int64_t n = first_result(computation).element_count();
    llvm::Value* left = b_.CreateNSWSub(b_.getInt64(n), row_start);
    length = b_.CreateSelect(b_.CreateICmpSLT(left, length), left, length);
  } else if (dims.size() > 1) {
    llvm::Value* rest = row;  // delinearise the row over the outer dims
    for (size_t d = dims.size() - 1; d-- > 0;) {
      llvm::Value* size = b_.getInt64(dims[d]);
      outer.insert(outer.begin(), {d == 0 ? rest : b_.CreateSRem(rest, size), DType::S64});
      if (d > 0) rest = b_.CreateSDiv(rest, size);
    }
  }
  if (const ir::Instruction* reduce = flat_ ? nullptr : ir::row_reduction_root(computation)) {
    emit_row_reduction(*reduce, outer, row_start, length, outputs);
    return;
  }
  counted_loop(
      b_.getInt64(0), length, {},
      [&](llvm::Value* j, const std::vector<EValue>&) {
        llvm::Value* offset = b_.CreateNSWAdd(row_start, j);
        EIndex index = outer;
        if (flat_) {
          index = {{offset, DType::S64}};
        } else if (!dims.empty()) {
          index.push_back({j, DType::S64});
        }
        const std::vector<EValue> values = root_values(computation, index);
        for (size_t k = 0; k < values.size() && !failure_; ++k) {
          llvm::Value* address =
              b_.CreateInBoundsGEP(memory_type(values[k].dtype), outputs[k], offset);
          store(values[k], address, input_count_ + static_cast<int>(k));
        }
        return std::vector<EValue>{};
      },
      /*vectorize=*/true);
}

Result<LoopShape> IrEmitter::emit_loop_kernel(const ir::Computation& computation,
                                              const std::string& name, int64_t flat_row_elements) {
  HLOCC_TRY_STATUS(check_loop_computation(computation));
  llvm::Function* function = begin_function(name, 4);
  const std::vector<int64_t>& dims = first_result(computation).dims();
  const int64_t n = first_result(computation).element_count();
  flat_ = is_flat(computation, dims);
  LoopShape shape;
  if (flat_) {
    shape.row_elements = std::max<int64_t>(1, std::min(n, flat_row_elements));
    shape.rows = (n + shape.row_elements - 1) / shape.row_elements;
  } else if (!dims.empty()) {
    shape.row_elements = dims.back();
    shape.rows = dims.back() == 0 ? 0 : n / dims.back();
  }
  // Scoped no-alias metadata: one scope per input and output buffer.
  llvm::MDBuilder md(context_);
  alias_domain_ = md.createAnonymousAliasScopeDomain(name);
  input_count_ = static_cast<int>(computation.parameter_count());
  const int64_t output_count =
      computation.result_shape().is_tuple() ? computation.result_shape().tuple_size() : 1;
  alias_scopes_.clear();
  for (int64_t k = 0; k < input_count_ + output_count; ++k) {
    alias_scopes_.push_back(md.createAnonymousAliasScope(alias_domain_));
  }
  Frame frame{&computation, {}, {}};
  llvm::Argument* inputs = function->getArg(0);
  for (int64_t i = 0; i < computation.parameter_count(); ++i) {
    frame.parameter_pointers.push_back(
        b_.CreateLoad(b_.getPtrTy(), b_.CreateConstInBoundsGEP1_64(b_.getPtrTy(), inputs, i)));
  }
  std::vector<llvm::Value*> outputs;
  for (int64_t k = 0; k < output_count; ++k) {
    outputs.push_back(b_.CreateLoad(
        b_.getPtrTy(), b_.CreateConstInBoundsGEP1_64(b_.getPtrTy(), function->getArg(1), k)));
  }
  frames_.assign(1, std::move(frame));
  counted_loop(function->getArg(2), function->getArg(3), {},
               [&](llvm::Value* row, const std::vector<EValue>&) {
                 emit_rows(computation, shape, row, outputs);
                 return std::vector<EValue>{};
               });
  b_.CreateRetVoid();
  alias_scopes_.clear();
  flat_ = false;
  if (failure_) {
    function->eraseFromParent();
    return *failure_;
  }
  return shape;
}

Status IrEmitter::emit_scalar_function(const ir::Computation& computation,
                                       const std::string& name) {
  for (const ir::Instruction* parameter : computation.parameters()) {
    if (!parameter || !parameter->shape().is_scalar()) {
      return Error("cpu scalar function " + computation.name() + ": parameters must be scalars");
    }
  }
  const ir::Shape& root = computation.result_shape();
  for (const ir::Shape& s : root.is_tuple() ? root.tuple_shapes() : std::vector{root}) {
    if (!s.is_scalar()) {
      return Error("cpu scalar function " + computation.name() +
                   ": the root must be a scalar or a tuple of scalars; got " + root.to_string());
    }
  }
  llvm::Function* function = begin_function(name, 2);
  Frame frame{&computation, {}, {}};
  for (int64_t i = 0; i < computation.parameter_count(); ++i) {
    frame.parameter_pointers.push_back(b_.CreateLoad(
        b_.getPtrTy(), b_.CreateConstInBoundsGEP1_64(b_.getPtrTy(), function->getArg(0), i)));
  }
  frames_.assign(1, std::move(frame));
  const std::vector<EValue> values = root_values(computation, {});
  for (size_t k = 0; k < values.size() && !failure_; ++k) {
    store(values[k], b_.CreateLoad(b_.getPtrTy(), b_.CreateConstInBoundsGEP1_64(
                                                      b_.getPtrTy(), function->getArg(1), k)));
  }
  b_.CreateRetVoid();
  if (failure_) {
    function->eraseFromParent();
    return *failure_;
  }
  return ok_status();
}

}  // namespace hlocc::cpu::detail
