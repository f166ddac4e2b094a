// Elemental rules of dot and convolution: one result element is a loop over the contracted
// dimensions, in the evaluator's order and accumulator type (f16/bf16 sum in f32; integers wrap in
// the result type, which gives the evaluator's bits), with operands first converted to the result
// type as XLA does. The fallback for types oneDNN does not run, and an oracle for small shapes.
#include <algorithm>

#include "ir/op_rules.h"
#include "ir/ops/elemental_helpers.h"

namespace hlocc::ir::detail {
namespace {

DType accumulator_type(DType result) {
  return result == DType::F16 || result == DType::BF16 ? DType::F32 : result;
}

// Operand i's element at `index`, converted to the result type, then to the accumulator type.
EValue contraction_operand(ElementalBuilder& b, int64_t i, const EIndex& index) {
  const DType result = b.instruction().shape().dtype();
  EValue value = b.operand(i, index);
  if (value.dtype != result) value = b.convert(value, result);
  const DType accumulator = accumulator_type(result);
  return value.dtype == accumulator ? value : b.convert(value, accumulator);
}

// acc + a * b; for pred, acc | (a & b) (the evaluator's saturating bool accumulation).
EValue multiply_add(ElementalBuilder& b, EValue acc, EValue lhs, EValue rhs) {
  if (acc.dtype == DType::Pred) return b.logical_or(acc, b.logical_and(lhs, rhs));
  return b.add(acc, b.multiply(lhs, rhs));
}

// Folds `body`'s products over `bounds` from zero and converts the sum to the result type.
Result<std::vector<EValue>> contract(
    ElementalBuilder& b, const std::vector<int64_t>& bounds,
    const std::function<EValue(const EIndex& position, EValue acc)>& step) {
  const DType result = b.instruction().shape().dtype();
  const DType accumulator = accumulator_type(result);
  const std::vector<EValue> sum =
      ops::loop_nest(b, bounds, {b.constant(accumulator, 0)},
                     [&](const EIndex& position, const std::vector<EValue>& acc) {
                       return std::vector<EValue>{step(position, acc[0])};
                     });
  return ops::single(accumulator == result ? sum[0] : b.convert(sum[0], result));
}

// The dims of a rank-`rank` operand that are neither batch nor contracting, ascending.
std::vector<int64_t> free_dims(int64_t rank, const std::vector<int64_t>& batch,
                               const std::vector<int64_t>& contracting) {
  std::vector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::find(batch.begin(), batch.end(), d) == batch.end() &&
        std::find(contracting.begin(), contracting.end(), d) == contracting.end()) {
      result.push_back(d);
    }
  }
  return result;
}

// One side of a dot: its batch dims, free dims and contracting dims, and where its free dims
// start in the result index.
struct DotSide {
  int64_t rank = 0;
  std::vector<int64_t> batch, free, contracting;
  size_t first_free = 0;

  // The operand index: batch dims from the result, free dims from the result, contracting dims
  // from the loop position.
  EIndex index(const EIndex& result, const EIndex& position) const {
    EIndex operand(static_cast<size_t>(rank));
    for (size_t j = 0; j < batch.size(); ++j) operand[static_cast<size_t>(batch[j])] = result[j];
    for (size_t j = 0; j < free.size(); ++j) {
      operand[static_cast<size_t>(free[j])] = result[first_free + j];
    }
    for (size_t j = 0; j < contracting.size(); ++j) {
      operand[static_cast<size_t>(contracting[j])] = position[j];
    }
    return operand;
  }
};

DotSide dot_side(const Instruction& inst, int64_t i) {
  const char* side = i == 0 ? "lhs" : "rhs";
  DotSide result;
  result.rank = inst.operand(i)->shape().rank();
  result.batch = inst.attrs().int_list_or_empty(std::string(side) + "_batch_dims");
  result.contracting = inst.attrs().int_list_or_empty(std::string(side) + "_contracting_dims");
  result.free = free_dims(result.rank, result.batch, result.contracting);
  return result;
}

// dot: result = [batch dims, lhs free dims, rhs free dims]; the contracting dims are summed in
// the order lhs_contracting_dims lists them, row-major, as the evaluator packs them.
Result<std::vector<EValue>> dot_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  DotSide lhs = dot_side(inst, 0);
  DotSide rhs = dot_side(inst, 1);
  lhs.first_free = lhs.batch.size();
  rhs.first_free = lhs.batch.size() + lhs.free.size();
  std::vector<int64_t> bounds;
  for (int64_t d : lhs.contracting) bounds.push_back(inst.operand(0)->shape().dim(d));
  return contract(b, bounds, [&](const EIndex& position, EValue acc) {
    return multiply_add(b, acc, contraction_operand(b, 0, lhs.index(index, position)),
                        contraction_operand(b, 1, rhs.index(index, position)));
  });
}

// convolution: output (batch b, feature o, spatial p) sums, over kernel input features c and
// then kernel taps in row-major window order, kernel[o, c, tap] * input[batch, feature, base]
// where the tap reads a real input element; the groups pick which batch and input features.
struct ConvGeometry {
  const ConvDimLabels* labels = nullptr;
  Window window;
  int64_t feature_groups = 1, batch_groups = 1;
};

ConvGeometry conv_geometry(const Instruction& inst) {
  ConvGeometry geometry;
  geometry.labels = inst.attrs().get<ConvDimLabels>("dim_labels");
  if (const Window* window = inst.attrs().get<Window>("window")) geometry.window = *window;
  if (const int64_t* count = inst.attrs().get<int64_t>("feature_group_count")) {
    geometry.feature_groups = *count;
  }
  if (const int64_t* count = inst.attrs().get<int64_t>("batch_group_count")) {
    geometry.batch_groups = *count;
  }
  return geometry;
}

Result<std::vector<EValue>> convolution_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const ConvGeometry g = conv_geometry(inst);
  const ConvDimLabels& l = *g.labels;
  const Shape& input = inst.operand(0)->shape();
  const Shape& kernel = inst.operand(1)->shape();
  const Shape& output = inst.shape();
  const int64_t kernel_in = kernel.dim(l.kernel_input_feature);
  const int64_t features_out = output.dim(l.output_feature);
  const EValue batch = index[static_cast<size_t>(l.output_batch)];
  const EValue feature = index[static_cast<size_t>(l.output_feature)];
  // Output feature o reads feature group o / (O / fgc) and batch group o / (O / bgc).
  auto group_of = [&](int64_t groups) {
    return groups == 1 ? b.index_constant(0)
                       : b.divide(feature, b.index_constant(features_out / groups));
  };
  const EValue group = group_of(g.feature_groups);
  const EValue input_batch =
      g.batch_groups == 1
          ? batch
          : b.add(batch, b.index_mul(group_of(g.batch_groups), output.dim(l.output_batch)));
  std::vector<int64_t> bounds = {kernel_in};
  for (const WindowDim& w : g.window.dims) bounds.push_back(w.size);
  return contract(b, bounds, [&](const EIndex& position, EValue acc) {
    EIndex input_index(static_cast<size_t>(input.rank()));
    EIndex kernel_index(static_cast<size_t>(kernel.rank()));
    input_index[static_cast<size_t>(l.input_batch)] = input_batch;
    input_index[static_cast<size_t>(l.input_feature)] =
        b.add(b.index_mul(group, kernel_in), position[0]);
    kernel_index[static_cast<size_t>(l.kernel_output_feature)] = feature;
    kernel_index[static_cast<size_t>(l.kernel_input_feature)] = position[0];
    std::vector<EValue> conditions;
    for (size_t i = 0; i < g.window.dims.size(); ++i) {
      const WindowDim& w = g.window.dims[i];
      const EValue tap = position[i + 1];
      const int64_t out_size = output.dim(l.output_spatial[i]);
      const int64_t in_size = input.dim(l.input_spatial[i]);
      const ops::BasePosition p = ops::window_base_position(
          b, w, index[static_cast<size_t>(l.output_spatial[i])], tap, in_size);
      input_index[static_cast<size_t>(l.input_spatial[i])] = p.coordinate;
      kernel_index[static_cast<size_t>(l.kernel_spatial[i])] =
          w.reversal ? b.subtract(b.index_constant(w.size - 1), tap) : tap;
      if (!ops::window_always_valid(w, out_size, in_size)) conditions.push_back(p.valid);
    }
    auto step = [&] {
      return std::vector<EValue>{multiply_add(b, acc, contraction_operand(b, 0, input_index),
                                              contraction_operand(b, 1, kernel_index))};
    };
    if (conditions.empty()) return step()[0];
    return b.if_else(ops::all_true(b, conditions), step, [&] { return std::vector{acc}; })[0];
  });
}

}  // namespace

void register_dot_conv_elementals(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Dot)].elemental = dot_element;
  table[static_cast<size_t>(Op::Convolution)].elemental = convolution_element;
}

}  // namespace hlocc::ir::detail
