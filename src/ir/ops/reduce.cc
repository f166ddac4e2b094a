// Rules of reduce, reduce-window and select-and-scatter: XLA's shape rules (including the reducer
// signature check) and evaluation in XLA's order. Simple reducers (add, maximum, ...) run typed
// loops; any other computation is called once per element through EvalContext::call.
#include <cstring>
#include <string>

#include "ir/computation.h"
#include "ir/ops/rule_helpers.h"
#include "ir/ops/scalar_fn.h"
#include "ir/ops/window_util.h"

namespace hlocc::ir::ops {
namespace {

// ---------------------------------------------------------------------------------------------
// Signatures

// "(f32[], s32[]) -> (f32[], s32[])": a called computation's signature, for error messages.
std::string signature(const Computation& computation) {
  std::string text = "(";
  for (int64_t i = 0; i < computation.parameter_count(); ++i) {
    if (i > 0) text += ", ";
    const Instruction* parameter = computation.parameter(i);
    text += parameter ? parameter->shape().to_string(false) : "?";
  }
  return text + ") -> " + computation.result_shape().to_string(false);
}

std::string scalar_text(DType dtype) { return Shape::scalar(dtype).to_string(false); }

// Whether parameter i of `computation` exists and has shape `expected`.
bool parameter_is(const Computation& computation, int64_t i, const Shape& expected) {
  const Instruction* parameter =
      i < computation.parameter_count() ? computation.parameter(i) : nullptr;
  return parameter != nullptr && parameter->shape() == expected;
}

// The N accumulator shapes a reducer returns: its scalar result, or the elements of its tuple.
std::vector<Shape> reducer_outputs(const Computation& reducer) {
  const Shape& result = reducer.result_shape();
  if (result.is_tuple()) return result.tuple_shapes();
  return {result};
}

// XLA's VerifyReducerShape: `reducer` takes N accumulators, then N elements, and returns the N
// new accumulators (a scalar, or a tuple of N scalars). Accumulator i, its parameters and init
// value i share one scalar type, which is also input i's element type.
Status check_reducer(const Instruction& inst, std::string_view attr, const Computation& reducer,
                     std::span<const DType> input_types, std::span<const DType> init_types) {
  const int64_t n = static_cast<int64_t>(input_types.size());
  const std::string name(attr);
  if (reducer.parameter_count() != 2 * n) {
    return op_error(inst, name + " must take " + std::to_string(2 * n) + " parameters (" +
                              std::to_string(n) + " accumulator(s), then " + std::to_string(n) +
                              " element(s)); got " + signature(reducer));
  }
  const std::vector<Shape> outputs = reducer_outputs(reducer);
  if (static_cast<int64_t>(outputs.size()) != n) {
    return op_error(inst, name + " must return " + std::to_string(n) +
                              " accumulator(s) (a scalar, or a tuple of scalars); got " +
                              signature(reducer));
  }
  for (int64_t i = 0; i < n; ++i) {
    const Shape expected = Shape::scalar(init_types[static_cast<size_t>(i)]);
    const bool matches = outputs[static_cast<size_t>(i)] == expected &&
                         parameter_is(reducer, i, expected) &&
                         parameter_is(reducer, n + i, expected);
    if (!matches) {
      return op_error(inst, name + " accumulator " + std::to_string(i) + " must be " +
                                expected.to_string(false) + " (the type of init value " +
                                std::to_string(i) + ") in its parameters " + std::to_string(i) +
                                " and " + std::to_string(n + i) + " and its result; got " +
                                signature(reducer));
    }
    if (input_types[static_cast<size_t>(i)] != init_types[static_cast<size_t>(i)]) {
      return op_error(inst, "input " + std::to_string(i) + " has element type " +
                                std::string(dtype_name(input_types[static_cast<size_t>(i)])) +
                                " but init value " + std::to_string(i) + " is " +
                                expected.to_string(false) + "; got " + operand_shapes(inst));
    }
  }
  return ok_status();
}

// reduce and reduce-window take N array inputs followed by N scalar init values.
struct ReduceOperands {
  std::vector<const Shape*> inputs;
  std::vector<DType> input_types;
  std::vector<DType> init_types;
};

Result<ReduceOperands> split_reduce_operands(const Instruction& inst) {
  const int64_t count = inst.operand_count();
  if (count == 0 || count % 2 != 0) {
    return op_error(inst,
                    "expects N inputs followed by N init values (an even, non-zero number "
                    "of operands); got " +
                        std::to_string(count) + " operand(s)");
  }
  ReduceOperands result;
  for (int64_t i = 0; i < count / 2; ++i) {
    HLOCC_TRY(const Shape* input, array_operand(inst, i));
    if (!result.inputs.empty() && input->dims() != result.inputs[0]->dims()) {
      return op_error(inst,
                      "all inputs must have the same dimensions; got " + operand_shapes(inst));
    }
    result.inputs.push_back(input);
    result.input_types.push_back(input->dtype());
  }
  for (int64_t i = count / 2; i < count; ++i) {
    const Shape& init = inst.operand(i)->shape();
    if (!init.is_scalar()) {
      return op_error(inst, "init value " + std::to_string(i - count / 2) +
                                " must be a scalar; got " + init.to_string(false));
    }
    result.init_types.push_back(init.dtype());
  }
  return result;
}

// The result of reducing N inputs to `dims`: one array per accumulator, in a tuple when the
// reducer returns a tuple (XLA keeps a 1-tuple a tuple).
Shape reduce_result_shape(const Computation& reducer, std::span<const DType> init_types,
                          const std::vector<int64_t>& dims) {
  if (!reducer.result_shape().is_tuple()) return Shape::array(init_types[0], dims);
  std::vector<Shape> elements;
  for (DType dtype : init_types) elements.push_back(Shape::array(dtype, dims));
  return Shape::tuple(std::move(elements));
}

// ---------------------------------------------------------------------------------------------
// Shared evaluation machinery

const Computation& computation_attr(const Instruction& inst, std::string_view name) {
  const Computation* const* computation = inst.attrs().get<Computation*>(name);
  HLOCC_CHECK(computation && *computation) << inst.name() << " lacks " << name << " (unverified?)";
  return **computation;
}

// Arrays of the instruction's result shape(s), every element set to its scalar init value.
std::vector<Literal> filled_results(const Shape& result_shape,
                                    std::span<const Literal* const> init_values) {
  std::vector<Literal> results;
  for (size_t i = 0; i < init_values.size(); ++i) {
    results.emplace_back(result_shape.is_tuple() ? result_shape.tuple_shape(static_cast<int64_t>(i))
                                                 : result_shape);
    Literal& result = results.back();
    for (int64_t e = 0; e < result.element_count(); ++e)
      copy_element(result, e, *init_values[i], 0);
  }
  return results;
}

Literal pack_results(const Shape& result_shape, std::vector<Literal> results) {
  if (result_shape.is_tuple()) return Literal::tuple(std::move(results));
  return std::move(results[0]);
}

// Walks `dims` in row-major order as runs along the last dimension:
// fn(input_offset, output_offset, length, output_step), where output offsets advance by
// `output_strides` (0 along reduced dimensions). Stops early when fn returns false.
template <class Fn>
void for_each_run(const std::vector<int64_t>& dims, const std::vector<int64_t>& output_strides,
                  Fn&& fn) {
  for (int64_t d : dims) {
    if (d == 0) return;
  }
  if (dims.empty()) {
    fn(int64_t{0}, int64_t{0}, int64_t{1}, int64_t{0});
    return;
  }
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t length = dims.back();
  std::vector<int64_t> index(dims.size(), 0);
  int64_t input_offset = 0;
  int64_t output_offset = 0;
  while (fn(input_offset, output_offset, length, output_strides.back())) {
    input_offset += length;
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      const size_t u = static_cast<size_t>(d);
      if (++index[u] < dims[u]) {
        output_offset += output_strides[u];
        break;
      }
      output_offset -= (dims[u] - 1) * output_strides[u];
      index[u] = 0;
    }
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------------------------------------
// reduce

Result<Shape> infer_reduce(const Instruction& inst) {
  HLOCC_TRY(const ReduceOperands operands, split_reduce_operands(inst));
  HLOCC_TRY(const std::vector<int64_t>* dimensions,
            require_attr<std::vector<int64_t>>(inst, "dimensions"));
  HLOCC_TRY(Computation* const* reducer, require_attr<Computation*>(inst, "to_apply"));
  const std::vector<int64_t>& input_dims = operands.inputs[0]->dims();
  const int64_t rank = static_cast<int64_t>(input_dims.size());
  std::vector<bool> reduced(input_dims.size(), false);
  for (int64_t d : *dimensions) {
    if (d < 0 || d >= rank) {
      return op_error(inst, "dimension " + std::to_string(d) +
                                " is out of range for inputs of "
                                "rank " +
                                std::to_string(rank) + "; got dimensions=" + braced(*dimensions) +
                                " for " + operand_shapes(inst));
    }
    if (reduced[static_cast<size_t>(d)]) {
      return op_error(inst, "dimension " + std::to_string(d) +
                                " appears twice; got dimensions=" + braced(*dimensions));
    }
    reduced[static_cast<size_t>(d)] = true;
  }
  HLOCC_TRY_STATUS(
      check_reducer(inst, "to_apply", **reducer, operands.input_types, operands.init_types));
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[static_cast<size_t>(d)]) kept.push_back(input_dims[static_cast<size_t>(d)]);
  }
  return reduce_result_shape(**reducer, operands.init_types, kept);
}

// For each input dimension, the stride of the result along it (0 where it is reduced away).
std::vector<int64_t> reduce_output_strides(const std::vector<int64_t>& input_dims,
                                           const std::vector<int64_t>& dimensions) {
  std::vector<bool> reduced(input_dims.size(), false);
  for (int64_t d : dimensions) reduced[static_cast<size_t>(d)] = true;
  std::vector<int64_t> strides(input_dims.size(), 0);
  int64_t stride = 1;
  for (size_t d = input_dims.size(); d-- > 0;) {
    if (reduced[d]) continue;
    strides[d] = stride;
    stride *= input_dims[d];
  }
  return strides;
}

// One input, a simple binary reducer: acc = op(acc, x) in a typed loop, input in row-major order.
void reduce_simple(Op op, const Literal& input, Literal& result,
                   const std::vector<int64_t>& output_strides) {
  dispatch_dtype(input.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_simple_binary<T>(op, [&](auto binary) {
      const std::span<const T> x = input.data<T>();
      const std::span<T> out = result.data<T>();
      for_each_run(input.shape().dims(), output_strides,
                   [&](int64_t in, int64_t at, int64_t length, int64_t step) {
                     if (step == 0) {  // the last dimension is reduced: keep acc in a register
                       T acc = out[static_cast<size_t>(at)];
                       for (int64_t j = 0; j < length; ++j)
                         acc = binary(acc, x[static_cast<size_t>(in + j)]);
                       out[static_cast<size_t>(at)] = acc;
                     } else {
                       for (int64_t j = 0; j < length; ++j) {
                         T& acc = out[static_cast<size_t>(at + j * step)];
                         acc = binary(acc, x[static_cast<size_t>(in + j)]);
                       }
                     }
                     return true;
                   });
    });
  });
}

Result<Literal> eval_reduce(const Instruction& inst, std::span<const Literal* const> operands,
                            EvalContext& context) {
  const size_t n = operands.size() / 2;
  const Computation& reducer = computation_attr(inst, "to_apply");
  const auto& dimensions = *inst.attrs().get<std::vector<int64_t>>("dimensions");
  const std::vector<int64_t>& input_dims = operands[0]->shape().dims();
  const std::vector<int64_t> output_strides = reduce_output_strides(input_dims, dimensions);
  std::vector<Literal> results = filled_results(inst.shape(), operands.subspan(n));
  const std::span<const Literal* const> inputs = operands.first(n);
  if (const std::optional<Op> op = simple_binary_op(reducer); op && n == 1) {
    reduce_simple(*op, *inputs[0], results[0], output_strides);
    return pack_results(inst.shape(), std::move(results));
  }
  CombinerCall call(context, reducer);
  Status status;
  for_each_run(input_dims, output_strides,
               [&](int64_t in, int64_t at, int64_t length, int64_t step) {
                 for (int64_t j = 0; j < length && status.ok(); ++j) {
                   status = call.step(results, at + j * step, inputs, in + j);
                 }
                 return status.ok();
               });
  if (!status.ok()) return status.error();
  return pack_results(inst.shape(), std::move(results));
}

// ---------------------------------------------------------------------------------------------
// reduce-window

Result<Shape> infer_reduce_window(const Instruction& inst) {
  HLOCC_TRY(const ReduceOperands operands, split_reduce_operands(inst));
  HLOCC_TRY(const Window* window, require_attr<Window>(inst, "window"));
  HLOCC_TRY(Computation* const* reducer, require_attr<Computation*>(inst, "to_apply"));
  HLOCC_TRY(const std::vector<int64_t> output_dims,
            window_output_dims(inst, *window, operands.inputs[0]->dims()));
  HLOCC_TRY_STATUS(
      check_reducer(inst, "to_apply", **reducer, operands.input_types, operands.init_types));
  return reduce_result_shape(**reducer, operands.init_types, output_dims);
}

Result<Literal> eval_reduce_window(const Instruction& inst,
                                   std::span<const Literal* const> operands, EvalContext& context) {
  const size_t n = operands.size() / 2;
  const Computation& reducer = computation_attr(inst, "to_apply");
  const Window& window = *inst.attrs().get<Window>("window");
  std::vector<Literal> results = filled_results(inst.shape(), operands.subspan(n));
  const std::span<const Literal* const> inputs = operands.first(n);
  WindowWalker walker(window, inputs[0]->shape().dims(), results[0].shape().dims());
  if (const std::optional<Op> op = simple_binary_op(reducer); op && n == 1) {
    dispatch_dtype(inputs[0]->shape().dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      with_simple_binary<T>(*op, [&](auto binary) {
        const std::span<const T> x = inputs[0]->data<T>();
        const std::span<T> out = results[0].data<T>();
        const T init = operands[n]->data<T>()[0];
        walker.for_each([&](int64_t at, std::span<const int64_t> offsets) {
          T acc = init;
          for (int64_t offset : offsets) acc = binary(acc, x[static_cast<size_t>(offset)]);
          out[static_cast<size_t>(at)] = acc;
        });
      });
    });
    return pack_results(inst.shape(), std::move(results));
  }
  CombinerCall call(context, reducer);
  Status status;
  walker.for_each([&](int64_t at, std::span<const int64_t> offsets) {
    for (size_t k = 0; k < offsets.size() && status.ok(); ++k) {
      status = call.step(results, at, inputs, offsets[k]);
    }
  });
  if (!status.ok()) return status.error();
  return pack_results(inst.shape(), std::move(results));
}

// ---------------------------------------------------------------------------------------------
// select-and-scatter

// XLA: select takes two scalars of the operand's element type and returns pred[].
Status check_select(const Instruction& inst, const Computation& select, DType operand_type) {
  const Shape element = Shape::scalar(operand_type);
  const bool matches = select.parameter_count() == 2 && parameter_is(select, 0, element) &&
                       parameter_is(select, 1, element) &&
                       select.result_shape() == Shape::scalar(DType::Pred);
  if (matches) return ok_status();
  return op_error(inst, "select must be (" + element.to_string(false) + ", " +
                            element.to_string(false) + ") -> pred[] for operand " +
                            inst.operand(0)->shape().to_string(false) + "; got " +
                            signature(select));
}

Result<Shape> infer_select_and_scatter(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, array_operand(inst, 0));
  HLOCC_TRY(const Shape* source, array_operand(inst, 1));
  const Shape& init = inst.operand(2)->shape();
  if (!init.is_scalar() || init.dtype() != operand->dtype()) {
    return op_error(inst, "init value must be a scalar of the operand's element type (" +
                              scalar_text(operand->dtype()) + "); got " + init.to_string(false));
  }
  HLOCC_TRY(const Window* window, require_attr<Window>(inst, "window"));
  HLOCC_TRY(Computation* const* select, require_attr<Computation*>(inst, "select"));
  HLOCC_TRY(Computation* const* scatter, require_attr<Computation*>(inst, "scatter"));
  HLOCC_TRY(const std::vector<int64_t> windowed,
            window_output_dims(inst, *window, operand->dims()));
  if (windowed != source->dims()) {
    return op_error(inst, "source must have the shape of the window-reduced operand " +
                              Shape::array(source->dtype(), windowed).to_string(false) + "; got " +
                              source->to_string(false));
  }
  HLOCC_TRY_STATUS(check_select(inst, **select, operand->dtype()));
  const DType source_type = source->dtype();
  const DType init_type = init.dtype();
  HLOCC_TRY_STATUS(check_reducer(inst, "scatter", **scatter, {&source_type, 1}, {&init_type, 1}));
  return operand->without_layout();
}

// The comparison of a select `(a, b) -> pred { ROOT compare(a, b), direction=GE }` (any
// direction and type): the select of max- and min-pool gradients, run as a typed loop.
struct SimpleSelect {
  CompareDirection direction;
  CompareType type;
};

std::optional<SimpleSelect> simple_select(const Computation& select) {
  const Instruction* root = select.root();
  if (root->op() != Op::Compare || root->operand(0) != select.parameter(0) ||
      root->operand(1) != select.parameter(1)) {
    return std::nullopt;
  }
  const std::string* direction_name = root->attrs().get<std::string>("direction");
  const std::string* type_name = root->attrs().get<std::string>("type");
  const std::optional<CompareDirection> direction =
      direction_name ? compare_direction_from_name(*direction_name) : std::nullopt;
  const std::optional<CompareType> type =
      type_name ? compare_type_from_name(*type_name)
                : default_compare_type(root->operand(0)->shape().dtype());
  if (!direction || !type) return std::nullopt;
  return SimpleSelect{*direction, *type};
}

// XLA's order: the first element of a window is selected, then each later one replaces it when
// select(selected, candidate) is false; the source value is scattered onto the selected element.
void scatter_simple(SimpleSelect select, Op op, const Literal& operand, const Literal& source,
                    Literal& result, WindowWalker& walker) {
  dispatch_dtype(operand.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_simple_binary<T>(op, [&](auto binary) {
      const std::span<const T> x = operand.data<T>();
      const std::span<const T> s = source.data<T>();
      const std::span<T> out = result.data<T>();
      walker.for_each([&](int64_t at, std::span<const int64_t> offsets) {
        if (offsets.empty()) return;  // a window of padding only selects nothing
        size_t selected = static_cast<size_t>(offsets[0]);
        for (int64_t candidate : offsets.subspan(1)) {
          const T value = x[static_cast<size_t>(candidate)];
          if (!hlo_compare(select.direction, select.type, x[selected], value)) {
            selected = static_cast<size_t>(candidate);
          }
        }
        out[selected] = binary(out[selected], s[static_cast<size_t>(at)]);
      });
    });
  });
}

Status scatter_generic(EvalContext& context, const Computation& select, const Computation& scatter,
                       const Literal& operand, const Literal& source, Literal& result,
                       WindowWalker& walker) {
  std::array<Literal, 2> pair = {Literal(select.parameter(0)->shape()),
                                 Literal(select.parameter(1)->shape())};
  const std::array<const Literal*, 2> pair_pointers = {&pair[0], &pair[1]};
  const std::array<const Literal*, 1> sources = {&source};
  CombinerCall call(context, scatter);
  Status status;
  walker.for_each([&](int64_t at, std::span<const int64_t> offsets) {
    if (offsets.empty() || !status.ok()) return;
    int64_t selected = offsets[0];
    for (int64_t candidate : offsets.subspan(1)) {
      copy_element(pair[0], 0, operand, selected);
      copy_element(pair[1], 0, operand, candidate);
      Result<Literal> keep = context.call(select, pair_pointers);
      if (!keep.ok()) {
        status = keep.error();
        return;
      }
      if (!keep->data<bool>()[0]) selected = candidate;
    }
    status = call.step({&result, 1}, selected, sources, at);
  });
  return status;
}

Result<Literal> eval_select_and_scatter(const Instruction& inst,
                                        std::span<const Literal* const> operands,
                                        EvalContext& context) {
  const Literal& operand = *operands[0];
  const Literal& source = *operands[1];
  const Computation& select = computation_attr(inst, "select");
  const Computation& scatter = computation_attr(inst, "scatter");
  std::vector<Literal> results = filled_results(inst.shape(), operands.subspan(2));
  WindowWalker walker(*inst.attrs().get<Window>("window"), operand.shape().dims(),
                      source.shape().dims());
  const std::optional<SimpleSelect> simple = simple_select(select);
  const std::optional<Op> op = simple_binary_op(scatter);
  if (simple && op) {
    scatter_simple(*simple, *op, operand, source, results[0], walker);
    return std::move(results[0]);
  }
  HLOCC_TRY_STATUS(scatter_generic(context, select, scatter, operand, source, results[0], walker));
  return std::move(results[0]);
}

}  // namespace
}  // namespace hlocc::ir::ops

namespace hlocc::ir::detail {

void register_reduce_ops(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Reduce)] =
      OpRules{.infer_shape = ops::infer_reduce, .evaluate = ops::eval_reduce};
  table[static_cast<size_t>(Op::ReduceWindow)] =
      OpRules{.infer_shape = ops::infer_reduce_window, .evaluate = ops::eval_reduce_window};
  table[static_cast<size_t>(Op::SelectAndScatter)] = OpRules{
      .infer_shape = ops::infer_select_and_scatter, .evaluate = ops::eval_select_and_scatter};
}

}  // namespace hlocc::ir::detail
