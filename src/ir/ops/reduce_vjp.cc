// The vjp rules of the reduction ops (see ir/vjp.h): reduce, reduce-window, select-and-scatter,
// sort and map.
//
// Choices where the derivative is not unique (documented here once):
// - max/min-like reductions split the cotangent evenly among the tied winners, the init value
//   counting as one candidate (so it gets a share exactly when it equals the result; an init that
//   strictly wins gets all of it). A NaN result gives zero cotangents.
// - reduce-window max/min gives each window's cotangent to the element XLA's select-and-scatter
//   picks (the first maximum: the classic max-pool gradient), or to the init value when the result
//   equals it (a window of padding only, or an init that wins).
// - select-and-scatter is piecewise constant in its operand (cotangent zero).
#include <algorithm>
#include <set>
#include <string>

#include "ir/builder.h"
#include "ir/module.h"
#include "ir/op_rules.h"

namespace hlocc::ir::detail {
namespace {

using Instructions = std::vector<Instruction*>;

std::vector<int64_t> iota_list(int64_t n) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = i;
  return values;
}

bool carries_cotangent(const Instruction* x) {
  return x->shape().is_array() && is_inexact(x->shape().dtype());
}

const Computation& computation_attr(const Instruction& inst, std::string_view name) {
  return **inst.attrs().get<Computation*>(name);
}

// Element i of a tuple-shaped value, or the value itself when it is an array.
Instruction* element(VjpBuilder& b, Instruction* value, int64_t i) {
  if (!value->shape().is_tuple()) return value;
  Attributes index;
  index.set("index", i);
  return b.add(Op::GetTupleElement, {value}, std::move(index));
}

Instruction* broadcast(VjpBuilder& b, Instruction* x, std::vector<int64_t> dimensions,
                       const std::vector<int64_t>& dims) {
  Attributes attrs;
  attrs.set("dimensions", std::move(dimensions));
  return b.add(Op::Broadcast, {x}, std::move(attrs), Shape::array(x->shape().dtype(), dims));
}

Instruction* sum_all(VjpBuilder& b, Instruction* x) {
  return b.reduce_sum(x, iota_list(x->shape().rank()));
}

// What output i of a reducer computes: its root, or element i of a root tuple.
const Instruction* output_node(const Computation& reducer, int64_t i) {
  const Instruction* root = reducer.root();
  if (root->op() != Op::Tuple) return i == 0 && !root->shape().is_tuple() ? root : nullptr;
  return i < root->operand_count() ? root->operand(i) : nullptr;
}

// "maximum", or "a tuple" where the output is not built in the reducer's root: for errors.
std::string output_text(const Computation& reducer, int64_t i) {
  const Instruction* node = output_node(reducer, i);
  return node ? std::string(op_name(node->op())) : "a tuple";
}

// The binary op output 0 of a one-input reducer applies to its two parameters, if it is that
// simple.
std::optional<Op> reducer_op(const Computation& reducer) {
  const Instruction* node = output_node(reducer, 0);
  if (reducer.parameter_count() != 2 || node == nullptr || node->operand_count() != 2) {
    return std::nullopt;
  }
  if (node->operand(0)->op() != Op::Parameter || node->operand(1)->op() != Op::Parameter) {
    return std::nullopt;
  }
  return node->op();
}

// The computation (T a, T b) -> pred[] { compare(a, b), direction=... }, shared per module.
Computation* compare_computation(VjpBuilder& b, const std::string& direction, DType dtype) {
  Module& module = b.module();
  const std::string name = "vjp_compare_" + direction + "_" + std::string(dtype_name(dtype));
  if (Computation* existing = module.find_computation(name)) return existing;
  Computation* computation = module.add_computation(std::make_unique<Computation>(name));
  Builder builder(computation);
  Attributes attrs;
  attrs.set("direction", direction);
  Result<Instruction*> root = builder.add(Op::Compare,
                                          {builder.parameter(0, Shape::scalar(dtype), "a"),
                                           builder.parameter(1, Shape::scalar(dtype), "b")},
                                          std::move(attrs));
  HLOCC_CHECK(root.ok()) << root.error().message();
  return computation;
}

// ---------------------------------------------------------------------------------------------
// reduce

// Reduce's operands and the geometry shared by its rules.
struct ReduceParts {
  int64_t n;                     // inputs (and init values)
  std::vector<int64_t> reduced;  // input dims reduced away
  std::vector<int64_t> kept;     // input dims that remain, in order
  std::vector<int64_t> input_dims;
  std::vector<int64_t> result_dims;
};

ReduceParts reduce_parts(const Instruction& forward) {
  ReduceParts parts;
  parts.n = forward.operand_count() / 2;
  parts.reduced = *forward.attrs().get<std::vector<int64_t>>("dimensions");
  parts.input_dims = forward.operand(0)->shape().dims();
  for (int64_t d = 0; d < static_cast<int64_t>(parts.input_dims.size()); ++d) {
    if (std::find(parts.reduced.begin(), parts.reduced.end(), d) == parts.reduced.end()) {
      parts.kept.push_back(d);
      parts.result_dims.push_back(parts.input_dims[static_cast<size_t>(d)]);
    }
  }
  return parts;
}

// For output i of a reducer over n inputs (parameters: n accumulators, then n elements): if the
// output always equals one of its two inputs (maximum/minimum of them, or a select between them),
// the outputs whose values identify which element was chosen: i itself and every output whose
// inputs the select's predicate reads. An argmax's value output depends on the values only, so
// its ties split; a payload chosen by the values is keyed by values and payload.
std::optional<std::set<int64_t>> chooser_keys(const Computation& reducer, int64_t n, int64_t i) {
  const Instruction* node = output_node(reducer, i);
  if (node == nullptr) return std::nullopt;
  auto is_pair = [&](const Instruction* a, const Instruction* b) {
    if (a->op() != Op::Parameter || b->op() != Op::Parameter) return false;
    const int64_t p = a->parameter_number(), q = b->parameter_number();
    return (p == i && q == n + i) || (p == n + i && q == i);
  };
  if ((node->op() == Op::Maximum || node->op() == Op::Minimum) &&
      is_pair(node->operand(0), node->operand(1))) {
    return std::set<int64_t>{i};
  }
  if (node->op() != Op::Select || !is_pair(node->operand(1), node->operand(2))) {
    return std::nullopt;
  }
  std::set<int64_t> keys = {i};
  std::vector<const Instruction*> stack = {node->operand(0)};
  std::set<const Instruction*> seen;
  while (!stack.empty()) {
    const Instruction* x = stack.back();
    stack.pop_back();
    if (!seen.insert(x).second) continue;
    if (x->op() == Op::Parameter) keys.insert(x->parameter_number() % n);
    for (const Instruction* operand : x->operands()) stack.push_back(operand);
  }
  return keys;
}

// Output i chooses one of the elements or the init value: its cotangent is split evenly among the
// candidates equal to the result in every key output.
void chooser_vjp(VjpBuilder& b, const ReduceParts& parts, int64_t i, const std::set<int64_t>& keys,
                 Instructions& cts) {
  const DType dtype = b.operand(i)->shape().dtype();
  Instruction* mask = nullptr;       // input dims: element equals the result
  Instruction* init_mask = nullptr;  // result dims: init value equals the result
  for (int64_t k : keys) {
    Instruction* result = element(b, b.result(), k);
    Instruction* equal =
        b.compare(b.operand(k), broadcast(b, result, parts.kept, parts.input_dims), "EQ");
    Instruction* init_equal =
        b.compare(broadcast(b, b.operand(parts.n + k), {}, parts.result_dims), result, "EQ");
    mask = mask ? b.add(Op::And, {mask, equal}) : equal;
    init_mask = init_mask ? b.add(Op::And, {init_mask, init_equal}) : init_equal;
  }
  Instruction* count =
      b.sum(b.reduce_sum(b.convert(mask, dtype), parts.reduced), b.convert(init_mask, dtype));
  count = b.add(Op::Maximum, {count, b.full(1, dtype, parts.result_dims)});
  Instruction* share = b.div(element(b, b.cotangent(), i), count);
  cts[static_cast<size_t>(i)] = b.select(mask, broadcast(b, share, parts.kept, parts.input_dims),
                                         b.full(0, dtype, parts.input_dims));
  cts[static_cast<size_t>(parts.n + i)] =
      sum_all(b, b.select(init_mask, share, b.full(0, dtype, parts.result_dims)));
}

// result = init * prod(x): d/dx_i is init times the product of the others, computed without
// dividing by zero: with no zero in the group it is P / x_i (P = init * prod x), with one zero it
// is P' (the product of the nonzero ones) at the zero and 0 elsewhere, with more it is 0.
Instructions product_vjp(VjpBuilder& b, const ReduceParts& parts) {
  Instruction* x = b.operand(0);
  Instruction* init = b.operand(1);
  const DType dtype = x->shape().dtype();
  auto zeros = [&](const std::vector<int64_t>& dims) { return b.full(0, dtype, dims); };
  auto spread = [&](Instruction* y) { return broadcast(b, y, parts.kept, parts.input_dims); };
  Instruction* is_zero = b.compare(x, zeros(parts.input_dims), "EQ");
  Attributes attrs;
  attrs.set("dimensions", parts.reduced);
  attrs.set("to_apply", b.scalar_computation(Op::Multiply, dtype));
  Instruction* nonzero_product = b.add(
      Op::Reduce, {b.select(is_zero, b.full(1, dtype, parts.input_dims), x), b.full(1, dtype, {})},
      std::move(attrs));
  Instruction* zero_count = b.reduce_sum(b.convert(is_zero, dtype), parts.reduced);
  Instruction* spread_count = spread(zero_count);
  Instruction* scaled = spread(b.mul(nonzero_product, broadcast(b, init, {}, parts.result_dims)));
  auto count_is = [&](double c) {
    return b.compare(spread_count, b.full(c, dtype, parts.input_dims), "EQ");
  };
  Instruction* others = b.select(is_zero, b.select(count_is(1), scaled, zeros(parts.input_dims)),
                                 b.select(count_is(0), b.div(scaled, x), zeros(parts.input_dims)));
  Instruction* ct = element(b, b.cotangent(), 0);
  Instruction* product = b.select(b.compare(zero_count, zeros(parts.result_dims), "EQ"),
                                  nonzero_product, zeros(parts.result_dims));
  return {b.mul(spread(ct), others), sum_all(b, b.mul(ct, product))};
}

Result<Instructions> reduce_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const ReduceParts parts = reduce_parts(forward);
  const Computation& reducer = computation_attr(forward, "to_apply");
  Instructions cts(static_cast<size_t>(2 * parts.n), nullptr);
  if (parts.n == 1 && carries_cotangent(b.operand(0))) {
    const std::optional<Op> op = reducer_op(reducer);
    if (op == Op::Add) {
      Instruction* ct = element(b, b.cotangent(), 0);
      return Instructions{broadcast(b, ct, parts.kept, parts.input_dims), sum_all(b, ct)};
    }
    if (op == Op::Multiply) return product_vjp(b, parts);
  }
  for (int64_t i = 0; i < parts.n; ++i) {
    if (!carries_cotangent(b.operand(i))) continue;
    const std::optional<std::set<int64_t>> keys = chooser_keys(reducer, parts.n, i);
    if (!keys) {
      return Error(
          "reduce: only sum, product, max/min and argmax/argmin-style reducers (each "
          "output a maximum, minimum or select of its two inputs) have a vjp rule; got "
          "to_apply=%" +
          reducer.name() + " with output " + std::to_string(i) + " computed by " +
          output_text(reducer, i));
    }
    chooser_vjp(b, parts, i, *keys, cts);
  }
  return cts;
}

// ---------------------------------------------------------------------------------------------
// reduce-window

bool any_zero(const std::vector<int64_t>& dims) {
  return std::find(dims.begin(), dims.end(), 0) != dims.end();
}

// The transpose of a sum reduce-window: each base element gets the sum of the cotangents of the
// windows that cover it. Pad the cotangent with stride-1 holes (window o lands at o * stride) and
// borders, sum it over the window (dilated like the forward one) at stride 1, which gives every
// position of the padded, base-dilated input, then keep the real base elements (a strided slice).
Instruction* window_sum_transpose(VjpBuilder& b, Instruction* ct, const Window& window,
                                  const std::vector<int64_t>& base_dims) {
  const DType dtype = ct->shape().dtype();
  if (any_zero(base_dims) || any_zero(ct->shape().dims())) return b.full(0, dtype, base_dims);
  PaddingConfig padding;
  Window sum_window;
  SliceConfig slice;
  bool strided = false;
  for (size_t d = 0; d < base_dims.size(); ++d) {
    const WindowDim& w = window.dims[d];
    const int64_t spread = (ct->shape().dims()[d] - 1) * w.stride + 1;
    const int64_t dilated_base = (base_dims[d] - 1) * w.lhs_dilation + 1;
    const int64_t low = (w.size - 1) * w.rhs_dilation - w.pad_low;
    padding.dims.push_back({low, dilated_base - spread + w.pad_low, w.stride - 1});
    sum_window.dims.push_back({.size = w.size, .rhs_dilation = w.rhs_dilation});
    slice.dims.push_back({0, dilated_base, w.lhs_dilation});
    strided = strided || w.lhs_dilation > 1;
  }
  Instruction* zero = b.full(0, dtype, {});
  Attributes pad_attrs;
  pad_attrs.set("padding", std::move(padding));
  Instruction* padded = b.add(Op::Pad, {ct, zero}, std::move(pad_attrs));
  Attributes sum_attrs;
  sum_attrs.set("window", std::move(sum_window));
  sum_attrs.set("to_apply", b.scalar_computation(Op::Add, dtype));
  Instruction* summed = b.add(Op::ReduceWindow, {padded, zero}, std::move(sum_attrs));
  if (!strided) return summed;
  Attributes slice_attrs;
  slice_attrs.set("slice", std::move(slice));
  return b.add(Op::Slice, {summed}, std::move(slice_attrs));
}

Result<Instructions> reduce_window_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  if (forward.operand_count() != 2) {
    return Error("reduce-window: only single-input reduce-windows have a vjp rule; got " +
                 std::to_string(forward.operand_count() / 2) + " inputs");
  }
  const Computation& reducer = computation_attr(forward, "to_apply");
  const Window& window = *forward.attrs().get<Window>("window");
  Instruction* x = b.operand(0);
  Instruction* init = b.operand(1);
  Instruction* ct = element(b, b.cotangent(), 0);
  const DType dtype = x->shape().dtype();
  const std::optional<Op> op = reducer_op(reducer);
  if (op == Op::Add) {
    return Instructions{window_sum_transpose(b, ct, window, x->shape().dims()), sum_all(b, ct)};
  }
  if (op != Op::Maximum && op != Op::Minimum) {
    return Error("reduce-window: only sum, max and min reducers have a vjp rule; got to_apply=%" +
                 reducer.name() + " computing " + output_text(reducer, 0));
  }
  // The classic max-pool gradient: scatter each window's cotangent onto the element it chose,
  // unless the init value won (then the init value gets it).
  Instruction* result = element(b, b.result(), 0);
  const std::vector<int64_t>& result_dims = result->shape().dims();
  Instruction* init_won = b.compare(result, broadcast(b, init, {}, result_dims), "EQ");
  Instruction* zeros = b.full(0, dtype, result_dims);
  Attributes attrs;
  attrs.set("window", window);
  attrs.set("select", compare_computation(b, op == Op::Maximum ? "GE" : "LE", dtype));
  attrs.set("scatter", b.scalar_computation(Op::Add, dtype));
  Instruction* scattered =
      b.add(Op::SelectAndScatter, {x, b.select(init_won, zeros, ct), b.full(0, dtype, {})},
            std::move(attrs));
  return Instructions{scattered, sum_all(b, b.select(init_won, ct, zeros))};
}

// ---------------------------------------------------------------------------------------------
// select-and-scatter

// For each window of `x`, the value of `values` at the element `select` picks, in XLA's order:
// the first element, replaced by each later candidate for which select(chosen, candidate) is
// false. A reduce-window over (x, values, valid) whose reducer runs that step; `valid` marks a
// real element, so the init triple never wins. A window of padding only gives 0.
Instruction* gather_selected(VjpBuilder& b, Instruction* x, Instruction* values,
                             const Window& window, Computation* select) {
  const DType dtype = x->shape().dtype();
  const DType value_type = values->shape().dtype();
  Module& module = b.module();
  Computation* reducer =
      module.add_computation(std::make_unique<Computation>(module.fresh_name("vjp_select_gather")));
  {
    Builder builder(reducer);
    const std::vector<DType> types = {dtype, value_type, DType::Pred};
    Instructions params;
    for (int64_t p = 0; p < 6; ++p) {
      params.push_back(builder.parameter(p, Shape::scalar(types[static_cast<size_t>(p % 3)]),
                                         p < 3 ? "chosen" : "candidate"));
    }
    auto add = [&](Op op, Instructions operands, Attributes attrs = {},
                   std::optional<Shape> shape = std::nullopt) {
      Result<Instruction*> added = builder.add(op, std::move(operands), std::move(attrs), shape);
      HLOCC_CHECK(added.ok()) << added.error().message();
      return *added;
    };
    Attributes call;
    call.set("to_apply", select);
    Instruction* keep =
        add(Op::Call, {params[0], params[3]}, std::move(call), Shape::scalar(DType::Pred));
    Instruction* take = add(Op::Or, {add(Op::Not, {params[2]}), add(Op::Not, {keep})});
    add(Op::Tuple,
        {add(Op::Select, {take, params[3], params[0]}),
         add(Op::Select, {take, params[4], params[1]}), add(Op::Or, {params[2], params[5]})});
  }
  Attributes attrs;
  attrs.set("window", window);
  attrs.set("to_apply", reducer);
  Instruction* gathered =
      b.add(Op::ReduceWindow,
            {x, values, b.full(1, DType::Pred, x->shape().dims()), b.full(0, dtype, {}),
             b.full(0, value_type, {}), b.full(0, DType::Pred, {})},
            std::move(attrs));
  return element(b, gathered, 1);
}

// result = init + the source values scattered (added) onto the selected elements: the source's
// cotangent is the result's cotangent at each window's selected element; every result element
// starts from init.
Result<Instructions> select_and_scatter_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const Computation& scatter = computation_attr(forward, "scatter");
  if (reducer_op(scatter) != Op::Add) {
    return Error("select-and-scatter: only an add scatter has a vjp rule; got scatter=%" +
                 scatter.name());
  }
  Instruction* ct = b.cotangent();
  Instruction* source_ct =
      gather_selected(b, b.operand(0), ct, *forward.attrs().get<Window>("window"),
                      *forward.attrs().get<Computation*>("select"));
  return Instructions{nullptr, source_ct, sum_all(b, ct)};
}

// ---------------------------------------------------------------------------------------------
// sort and map

// The cotangents of the sorted outputs go back through the permutation: sort the operands again
// with an iota along the sort dimension (same comparator, stable) to get, for each sorted
// position, its original index; then sort the cotangents by that index, which puts each back at
// its original place. (With is_stable=false and tied keys a backend may order the forward
// differently; the gradient then follows the stable order.)
Result<Instructions> sort_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const int64_t k = forward.operand_count();
  const int64_t dim = (*forward.attrs().get<std::vector<int64_t>>("dimensions"))[0];
  const std::vector<int64_t>& dims = forward.operand(0)->shape().dims();
  Instructions cts(static_cast<size_t>(k), nullptr);
  std::vector<int64_t> differentiable;
  for (int64_t i = 0; i < k; ++i) {
    if (carries_cotangent(b.operand(i))) differentiable.push_back(i);
  }
  if (differentiable.empty()) return cts;
  Module& module = b.module();
  auto make_comparator = [&](const std::vector<DType>& types, auto&& build_root) {
    Computation* comparator =
        module.add_computation(std::make_unique<Computation>(module.fresh_name("vjp_sort_by")));
    Builder builder(comparator);
    Instructions params;
    for (size_t p = 0; p < 2 * types.size(); ++p) {
      params.push_back(builder.parameter(static_cast<int64_t>(p), Shape::scalar(types[p / 2])));
    }
    Result<Instruction*> root = build_root(builder, params);
    HLOCC_CHECK(root.ok()) << root.error().message();
    return comparator;
  };
  auto sort = [&](Instructions operands, Computation* comparator) {
    Attributes attrs;
    attrs.set("dimensions", std::vector<int64_t>{dim});
    attrs.set("is_stable", true);
    attrs.set("to_apply", comparator);
    return b.add(Op::Sort, std::move(operands), std::move(attrs));
  };
  // The forward sort with an iota riding along; the comparator calls the original on the operands.
  std::vector<DType> types;
  Instructions operands;
  for (int64_t i = 0; i < k; ++i) {
    types.push_back(b.operand(i)->shape().dtype());
    operands.push_back(b.operand(i));
  }
  types.push_back(DType::S32);
  Attributes iota;
  iota.set("iota_dimension", dim);
  operands.push_back(b.add(Op::Iota, {}, std::move(iota), Shape::array(DType::S32, dims)));
  Computation* original = *forward.attrs().get<Computation*>("to_apply");
  Computation* with_iota = make_comparator(types, [&](Builder& builder, Instructions& params) {
    Attributes call;
    call.set("to_apply", original);
    params.resize(static_cast<size_t>(2 * k));
    return builder.add(Op::Call, params, std::move(call), Shape::scalar(DType::Pred));
  });
  Instruction* permutation = element(b, sort(operands, with_iota), k);
  // Sorting by the original index undoes the permutation.
  std::vector<DType> back_types = {DType::S32};
  Instructions back = {permutation};
  for (int64_t i : differentiable) {
    back_types.push_back(b.operand(i)->shape().dtype());
    back.push_back(element(b, b.cotangent(), i));
  }
  Computation* by_index = make_comparator(back_types, [](Builder& builder, Instructions& params) {
    Attributes attrs;
    attrs.set("direction", std::string("LT"));
    return builder.add(Op::Compare, {params[0], params[1]}, std::move(attrs));
  });
  Instruction* unsorted = sort(back, by_index);
  for (size_t j = 0; j < differentiable.size(); ++j) {
    cts[static_cast<size_t>(differentiable[j])] = element(b, unsorted, static_cast<int64_t>(j + 1));
  }
  return cts;
}

Result<Instructions> map_vjp(VjpBuilder&) {
  return Error("map is not differentiable; write the elementwise code without map");
}

}  // namespace

void register_reduce_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) {
    table[static_cast<size_t>(op)].vjp = std::move(rule);
  };
  set(Op::Reduce, reduce_vjp);
  set(Op::ReduceWindow, reduce_window_vjp);
  set(Op::SelectAndScatter, select_and_scatter_vjp);
  set(Op::Sort, sort_vjp);
  set(Op::Map, map_vjp);
}

}  // namespace hlocc::ir::detail
