// The vjp rules of the data-movement ops (see ir/vjp.h): broadcast, reshape, bitcast, transpose,
// reverse, concatenate, slice, pad, dynamic-slice, dynamic-update-slice, gather and scatter.
// Each forward op only moves (or sums, or drops) elements, so each rule is the adjoint movement:
// a slice's is a zero pad, a gather's a scatter-add, and so on (JAX's lax transpose rules).
#include <algorithm>
#include <optional>

#include "ir/computation.h"
#include "ir/module.h"
#include "ir/op_rules.h"
#include "ir/ops/gather_scatter.h"
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {
namespace {

using Cotangents = Result<std::vector<Instruction*>>;
using ops::complement_dims;
using ops::IndexDims;

std::vector<int64_t> inverse_permutation(const std::vector<int64_t>& permutation) {
  std::vector<int64_t> inverse(permutation.size());
  for (size_t i = 0; i < permutation.size(); ++i)
    inverse[static_cast<size_t>(permutation[i])] = static_cast<int64_t>(i);
  return inverse;
}

Instruction* transpose(VjpBuilder& b, Instruction* x, const std::vector<int64_t>& permutation) {
  bool identity = true;
  for (size_t i = 0; i < permutation.size(); ++i)
    identity = identity && permutation[i] == static_cast<int64_t>(i);
  if (identity) return x;
  Attributes attrs;
  attrs.set("dimensions", permutation);
  return b.add(Op::Transpose, {x}, std::move(attrs));
}

Instruction* reshape(VjpBuilder& b, Instruction* x, const std::vector<int64_t>& dims) {
  if (x->shape().dims() == dims) return x;
  return b.add(Op::Reshape, {x}, {}, Shape::array(x->shape().dtype(), dims));
}

Instruction* slice(VjpBuilder& b, Instruction* x, std::vector<SliceDim> dims) {
  Attributes attrs;
  attrs.set("slice", SliceConfig{std::move(dims)});
  return b.add(Op::Slice, {x}, std::move(attrs));
}

Instruction* pad_with_zeros(VjpBuilder& b, Instruction* x, std::vector<PadDim> dims) {
  Attributes attrs;
  attrs.set("padding", PaddingConfig{std::move(dims)});
  return b.add(Op::Pad, {x, b.full(0, x->shape().dtype(), {})}, std::move(attrs));
}

Instruction* broadcast(VjpBuilder& b, Instruction* x, const std::vector<int64_t>& dims,
                       const Shape& shape) {
  Attributes attrs;
  attrs.set("dimensions", dims);
  return b.add(Op::Broadcast, {x}, std::move(attrs), shape);
}

// The forward's operands from `first` on (start indices), as instructions of the gradient.
std::vector<Instruction*> operands_from(VjpBuilder& b, int64_t first) {
  std::vector<Instruction*> operands;
  for (int64_t i = first; i < b.forward().operand_count(); ++i) operands.push_back(b.operand(i));
  return operands;
}

// ---- broadcast, reshape, bitcast, transpose, reverse, concatenate ---------------------------

// Sum over the added dims; what is left has the operand's dims in ascending order of the result
// dims they map to, so a transposing broadcast (unsorted dimensions) needs a transpose back.
Cotangents broadcast_vjp(VjpBuilder& b) {
  const auto dims = b.forward().attrs().int_list_or_empty("dimensions");
  Instruction* summed =
      b.reduce_sum(b.cotangent(), complement_dims(b.forward().shape().rank(), dims));
  std::vector<int64_t> sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> permutation;
  for (int64_t d : dims) {
    permutation.push_back(std::find(sorted.begin(), sorted.end(), d) - sorted.begin());
  }
  return std::vector<Instruction*>{transpose(b, summed, permutation)};
}

Cotangents reshape_vjp(VjpBuilder& b) {
  return std::vector<Instruction*>{
      reshape(b, b.cotangent(), b.forward().operand(0)->shape().dims())};
}

// A same-type bitcast is a reshape of the physical (layout-ordered) elements: transpose into
// the result's physical order, reshape to the operand's physical dims, transpose back.
Cotangents bitcast_vjp(VjpBuilder& b) {
  const Shape& operand = b.forward().operand(0)->shape();
  const Shape& result = b.forward().shape();
  if (operand.dtype() != result.dtype()) {
    return Error("bitcast: only bitcasts that keep the element type are differentiable; got " +
                 operand.to_string() + " -> " + result.to_string());
  }
  const std::vector<int64_t> operand_order = operand.major_to_minor();
  std::vector<int64_t> physical_dims;
  for (int64_t d : operand_order) physical_dims.push_back(operand.dim(d));
  Instruction* physical = transpose(b, b.cotangent(), result.major_to_minor());
  return std::vector<Instruction*>{
      transpose(b, reshape(b, physical, physical_dims), inverse_permutation(operand_order))};
}

Cotangents transpose_vjp(VjpBuilder& b) {
  return std::vector<Instruction*>{transpose(
      b, b.cotangent(), inverse_permutation(b.forward().attrs().int_list_or_empty("dimensions")))};
}

Cotangents reverse_vjp(VjpBuilder& b) {
  Attributes attrs;
  attrs.set("dimensions", b.forward().attrs().int_list_or_empty("dimensions"));
  return std::vector<Instruction*>{b.add(Op::Reverse, {b.cotangent()}, std::move(attrs))};
}

Cotangents concatenate_vjp(VjpBuilder& b) {
  const int64_t dim = b.forward().attrs().int_list_or_empty("dimensions").front();
  std::vector<SliceDim> whole;
  for (int64_t size : b.forward().shape().dims()) whole.push_back({0, size, 1});
  std::vector<Instruction*> cotangents;
  int64_t offset = 0;
  for (const Instruction* operand : b.forward().operands()) {
    std::vector<SliceDim> dims = whole;
    dims[static_cast<size_t>(dim)] = {offset, offset + operand->shape().dim(dim), 1};
    offset += operand->shape().dim(dim);
    cotangents.push_back(slice(b, b.cotangent(), std::move(dims)));
  }
  return cotangents;
}

// ---- slice, pad, dynamic-slice, dynamic-update-slice ----------------------------------------

// Zeros around and between the sliced elements. The high pad counts from the last element taken,
// not from limit, which a stride may not reach.
Cotangents slice_vjp(VjpBuilder& b) {
  const SliceConfig& config = *b.forward().attrs().get<SliceConfig>("slice");
  const Shape& operand = b.forward().operand(0)->shape();
  std::vector<PadDim> padding;
  for (int64_t d = 0; d < operand.rank(); ++d) {
    const SliceDim& s = config.dims[static_cast<size_t>(d)];
    const int64_t taken = b.forward().shape().dim(d);
    const int64_t end = taken == 0 ? s.start : s.start + (taken - 1) * s.stride + 1;
    padding.push_back({s.start, operand.dim(d) - end, taken == 0 ? 0 : s.stride - 1});
  }
  return std::vector<Instruction*>{pad_with_zeros(b, b.cotangent(), std::move(padding))};
}

// JAX's _pad_transpose: undo the edge padding (negative edges, which cropped the operand, come
// back as zeros), then take every (interior + 1)-th element. The padding value received
// everything else.
Cotangents pad_vjp(VjpBuilder& b) {
  const PaddingConfig& config = *b.forward().attrs().get<PaddingConfig>("padding");
  std::vector<PadDim> unpad;
  for (const PadDim& p : config.dims) unpad.push_back({-p.low, -p.high, 0});
  Instruction* unpadded = pad_with_zeros(b, b.cotangent(), std::move(unpad));
  std::vector<SliceDim> every;
  for (size_t d = 0; d < config.dims.size(); ++d)
    every.push_back({0, unpadded->shape().dims()[d], config.dims[d].interior + 1});
  Instruction* operand_ct = slice(b, unpadded, std::move(every));
  auto total = [&](Instruction* x) {
    std::vector<int64_t> all;
    for (int64_t d = 0; d < x->shape().rank(); ++d) all.push_back(d);
    return b.reduce_sum(x, all);
  };
  return std::vector<Instruction*>{operand_ct, b.sub(total(b.cotangent()), total(operand_ct))};
}

// Both ops clamp their starts the same way for the same box size, so the adjoint reuses them.
Cotangents dynamic_slice_vjp(VjpBuilder& b) {
  std::vector<Instruction*> operands = {b.zeros_like(b.operand(0)), b.cotangent()};
  for (Instruction* index : operands_from(b, 1)) operands.push_back(index);
  std::vector<Instruction*> cotangents = {b.add(Op::DynamicUpdateSlice, operands)};
  cotangents.resize(static_cast<size_t>(b.forward().operand_count()), nullptr);
  return cotangents;
}

Cotangents dynamic_update_slice_vjp(VjpBuilder& b) {
  const std::vector<Instruction*> starts = operands_from(b, 2);
  std::vector<Instruction*> cleared = {b.cotangent(), b.zeros_like(b.operand(1))};
  cleared.insert(cleared.end(), starts.begin(), starts.end());
  std::vector<Instruction*> window = {b.cotangent()};
  window.insert(window.end(), starts.begin(), starts.end());
  Attributes attrs;
  attrs.set("dynamic_slice_sizes", b.forward().operand(1)->shape().dims());
  std::vector<Instruction*> cotangents = {b.add(Op::DynamicUpdateSlice, cleared),
                                          b.add(Op::DynamicSlice, window, std::move(attrs))};
  cotangents.resize(static_cast<size_t>(b.forward().operand_count()), nullptr);
  return cotangents;
}

// ---- gather and scatter ----------------------------------------------------------------------

Instruction* gather(VjpBuilder& b, Instruction* operand, Instruction* indices,
                    const IndexDims& dims, const std::vector<int64_t>& slice_sizes) {
  Attributes attrs;
  ops::set_index_dims(attrs, dims, ops::kGatherDimNames);
  attrs.set("slice_sizes", slice_sizes);
  return b.add(Op::Gather, {operand, indices}, std::move(attrs));
}

Instruction* scatter(VjpBuilder& b, Instruction* operand, Instruction* indices,
                     Instruction* updates, const IndexDims& dims, Computation* to_apply) {
  Attributes attrs;
  ops::set_index_dims(attrs, dims, ops::kScatterDimNames);
  attrs.set("to_apply", to_apply);
  return b.add(Op::Scatter, {operand, indices, updates}, std::move(attrs));
}

// The indices as s64 with index_vector_dim explicit: an implicit trailing index vector (when
// index_vector_dim == rank) becomes a size-1 dim at that same position, which means the same.
Instruction* explicit_indices(VjpBuilder& b, Instruction* indices, int64_t index_vector_dim) {
  Instruction* wide = b.convert(indices, DType::S64);
  if (index_vector_dim < indices->shape().rank()) return wide;
  std::vector<int64_t> dims = indices->shape().dims();
  dims.push_back(1);
  return reshape(b, wide, dims);
}

// clamp(0, indices, upper[k]) with component k of each index vector bounded by upper[k]: where
// gather moves a start index so its window fits.
Instruction* clamp_starts(VjpBuilder& b, Instruction* indices, int64_t index_vector_dim,
                          const std::vector<int64_t>& upper) {
  Literal bounds(Shape::array(DType::S64, {static_cast<int64_t>(upper.size())}));
  std::copy(upper.begin(), upper.end(), bounds.data<int64_t>().begin());
  Instruction* spread =
      broadcast(b, b.builder().constant(std::move(bounds)), {index_vector_dim}, indices->shape());
  return b.add(Op::Clamp, {b.full(0, DType::S64, {}), indices, spread});
}

// The largest in-bounds start of a window of extent[d] along each dim start indices address.
std::vector<int64_t> start_bounds(const IndexDims& dims, const Shape& operand,
                                  const std::vector<int64_t>& extent) {
  std::vector<int64_t> upper;
  for (int64_t d : dims.index_map) upper.push_back(operand.dim(d) - extent[static_cast<size_t>(d)]);
  return upper;
}

// JAX's _gather_transpose_rule: scatter-add the cotangent into zeros with the same dimension
// numbers. Gather clamps starts and scatter skips windows out of bounds, so clamp first, as
// JAX's mode=clip does. A size-0 slice is clamped as a size-1 one, like the evaluator does.
Cotangents gather_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const IndexDims dims = ops::verified_index_dims(forward);
  const Shape& operand = forward.operand(0)->shape();
  std::vector<int64_t> extent = forward.attrs().int_list_or_empty("slice_sizes");
  for (int64_t& size : extent) size = std::max<int64_t>(size, 1);
  std::vector<Instruction*> cotangents = {nullptr, nullptr};
  if (operand.element_count() == 0 || forward.shape().element_count() == 0) {
    cotangents[0] = b.zeros_like(b.operand(0));
    return cotangents;
  }
  Instruction* indices = explicit_indices(b, b.operand(1), dims.index_vector_dim);
  Instruction* clamped =
      clamp_starts(b, indices, dims.index_vector_dim, start_bounds(dims, operand, extent));
  cotangents[0] = scatter(b, b.zeros_like(b.operand(0)), clamped, b.cotangent(), dims,
                          b.scalar_computation(Op::Add, operand.dtype()));
  return cotangents;
}

enum class Combiner { Add, Overwrite, Other };

// What to_apply returns for operand i (a scalar, or element i of its tuple).
const Instruction* combined(const Computation& to_apply, int64_t i) {
  const Instruction* root = to_apply.root();
  return root->op() == Op::Tuple ? root->operand(i) : root;
}

// How to_apply combines operand i with its update: add(current, update) in either order,
// overwrite (the update itself), or anything else.
Combiner combiner_of(const Computation& to_apply, int64_t i, int64_t n) {
  const Instruction* root = combined(to_apply, i);
  auto is_parameter = [](const Instruction* x, int64_t number) {
    return x->op() == Op::Parameter && x->parameter_number() == number;
  };
  if (is_parameter(root, n + i)) return Combiner::Overwrite;
  if (root->op() == Op::Add && root->operand_count() == 2) {
    const Instruction* a = root->operand(0);
    const Instruction* c = root->operand(1);
    if ((is_parameter(a, i) && is_parameter(c, n + i)) ||
        (is_parameter(a, n + i) && is_parameter(c, i)))
      return Combiner::Add;
  }
  return Combiner::Other;
}

// The computation (a, b) -> b of `dtype`, shared per module: a scatter that overwrites.
Computation* overwrite_computation(VjpBuilder& b, DType dtype) {
  const std::string name = "vjp_overwrite_" + std::string(dtype_name(dtype));
  if (Computation* existing = b.module().find_computation(name)) return existing;
  Computation* computation = b.module().add_computation(std::make_unique<Computation>(name));
  Builder builder(computation);
  builder.parameter(0, Shape::scalar(dtype), "current");
  computation->set_root(builder.parameter(1, Shape::scalar(dtype), "update"));
  return computation;
}

// What a scatter's vjp needs about its updates: where they go and which of them count.
class ScatterAdjoint {
 public:
  explicit ScatterAdjoint(VjpBuilder& b)
      : b_(b),
        forward_(b.forward()),
        dims_(ops::verified_index_dims(forward_)),
        n_((forward_.operand_count() - 1) / 2) {
    const Shape& operand = forward_.operand(0)->shape();
    const Shape& updates = forward_.operand(n_ + 1)->shape();
    // The window's extent along each operand dim: 1 where a dim is inserted or batching.
    std::vector<int64_t> extent(static_cast<size_t>(operand.rank()), 1);
    const std::vector<int64_t> window_operand_dims =
        complement_dims(operand.rank(), dims_.collapsed_dims, dims_.operand_batching_dims);
    for (size_t k = 0; k < window_operand_dims.size(); ++k) {
      extent[static_cast<size_t>(window_operand_dims[k])] = updates.dim(dims_.window_dims[k]);
    }
    slice_sizes_ = extent;
    upper_ = start_bounds(dims_, operand, extent);
    scatter_dims_ = complement_dims(updates.rank(), dims_.window_dims);
    indices_ = explicit_indices(b, b.operand(n_), dims_.index_vector_dim);
  }

  // The cotangent of operand i, given `ct` (the cotangent of result i) and its combiner.
  Instruction* operand_ct(Instruction* ct, Combiner combiner) {
    if (combiner == Combiner::Add) return ct;
    // Overwritten positions no longer depend on the operand.
    const Shape& updates = forward_.operand(n_ + 1)->shape();
    return scatter(b_, ct, indices_, b_.full(0, ct->shape().dtype(), updates.dims()), dims_,
                   overwrite_computation(b_, ct->shape().dtype()));
  }

  // The cotangent of updates i: the cotangent gathered at each update's position where that
  // update reached the result, zero elsewhere.
  Instruction* updates_ct(Instruction* ct, Combiner combiner) {
    Instruction* gathered = gather(b_, ct, indices_, dims_, slice_sizes_);
    Instruction* counts = combiner == Combiner::Add ? in_bounds() : winners();
    return b_.select(counts, gathered, b_.zeros_like(gathered));
  }

 private:
  // Scatter skips windows that leave the operand: those updates are in bounds exactly where
  // clamping the start changes nothing.
  Instruction* in_bounds() {
    if (in_bounds_ != nullptr) return in_bounds_;
    Instruction* clamped = clamp_starts(b_, indices_, dims_.index_vector_dim, upper_);
    Instruction* equal = b_.compare(clamped, indices_, "EQ");
    Attributes attrs;
    attrs.set("dimensions", std::vector<int64_t>{dims_.index_vector_dim});
    attrs.set("to_apply", b_.scalar_computation(Op::And, DType::Pred));
    Instruction* all = b_.add(Op::Reduce, {equal, b_.full(1, DType::Pred, {})}, std::move(attrs));
    const Shape& updates = forward_.operand(n_ + 1)->shape();
    in_bounds_ = broadcast(b_, all, scatter_dims_, Shape::array(DType::Pred, updates.dims()));
    return in_bounds_;
  }

  // With overwrites, the last update to reach a position wins (the evaluator's order, which any
  // scatter of the same indices repeats). Scatter each update's id (1 + its batch position) and
  // gather the ids back: an update element counts where it finds its own id. Skipped windows
  // never write their ids, so they never count.
  Instruction* winners() {
    if (winners_ != nullptr) return winners_;
    const Shape& operand = forward_.operand(0)->shape();
    const Shape& updates = forward_.operand(n_ + 1)->shape();
    std::vector<int64_t> batch;
    int64_t count = 1;
    for (int64_t d : scatter_dims_) {
      batch.push_back(updates.dim(d));
      count *= updates.dim(d);
    }
    Attributes iota;
    iota.set("iota_dimension", int64_t{0});
    Instruction* positions =
        b_.add(Op::Iota, {}, std::move(iota), Shape::array(DType::S64, {count}));
    Instruction* ids =
        broadcast(b_, reshape(b_, b_.sum(positions, b_.full(1, DType::S64, {count})), batch),
                  scatter_dims_, Shape::array(DType::S64, updates.dims()));
    Instruction* written = scatter(b_, b_.full(0, DType::S64, operand.dims()), indices_, ids, dims_,
                                   overwrite_computation(b_, DType::S64));
    winners_ = b_.compare(gather(b_, written, indices_, dims_, slice_sizes_), ids, "EQ");
    return winners_;
  }

  VjpBuilder& b_;
  const Instruction& forward_;
  IndexDims dims_;
  int64_t n_;
  std::vector<int64_t> slice_sizes_;
  std::vector<int64_t> upper_;
  std::vector<int64_t> scatter_dims_;
  Instruction* indices_ = nullptr;
  Instruction* in_bounds_ = nullptr;
  Instruction* winners_ = nullptr;
};

// Scatter-add (JAX's _scatter_add_transpose_rule) and scatter that overwrites (JAX's
// _scatter_transpose_rule, here with duplicate indices too); indices get none.
Cotangents scatter_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const int64_t n = (forward.operand_count() - 1) / 2;
  const Computation& to_apply = **forward.attrs().get<Computation*>("to_apply");
  std::vector<Combiner> combiners;
  for (int64_t i = 0; i < n; ++i) {
    combiners.push_back(combiner_of(to_apply, i, n));
    if (combiners.back() == Combiner::Other) {
      return Error(
          "scatter: only scatters that add or overwrite are differentiable; got "
          "to_apply=%" +
          to_apply.name() + " (result " + std::to_string(i) + " is " +
          std::string(op_name(combined(to_apply, i)->op())) + ")" +
          "\n  hint: write the update as a scatter-add of a computed delta");
    }
  }
  std::vector<Instruction*> cotangents(static_cast<size_t>(forward.operand_count()), nullptr);
  // Without updates the scatter is the identity.
  const bool empty_updates = forward.operand(n + 1)->shape().element_count() == 0;
  std::optional<ScatterAdjoint> adjoint;
  if (!empty_updates) adjoint.emplace(b);
  for (int64_t i = 0; i < n; ++i) {
    if (!is_inexact(forward.operand(i)->shape().dtype())) continue;
    Instruction* ct = b.cotangent();
    if (n > 1) {
      Attributes index;
      index.set("index", i);
      ct = b.add(Op::GetTupleElement, {ct}, std::move(index));
    }
    if (!adjoint) {
      cotangents[static_cast<size_t>(i)] = ct;
      continue;
    }
    const Combiner combiner = combiners[static_cast<size_t>(i)];
    cotangents[static_cast<size_t>(i)] = adjoint->operand_ct(ct, combiner);
    cotangents[static_cast<size_t>(n + 1 + i)] = adjoint->updates_ct(ct, combiner);
  }
  return cotangents;
}

}  // namespace

void register_shape_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) {
    table[static_cast<size_t>(op)].vjp = std::move(rule);
  };
  set(Op::Broadcast, broadcast_vjp);
  set(Op::Reshape, reshape_vjp);
  set(Op::Bitcast, bitcast_vjp);
  set(Op::Transpose, transpose_vjp);
  set(Op::Reverse, reverse_vjp);
  set(Op::Concatenate, concatenate_vjp);
  set(Op::Slice, slice_vjp);
  set(Op::Pad, pad_vjp);
  set(Op::DynamicSlice, dynamic_slice_vjp);
  set(Op::DynamicUpdateSlice, dynamic_update_slice_vjp);
  set(Op::Gather, gather_vjp);
  set(Op::Scatter, scatter_vjp);
  set(Op::Iota, not_differentiable());
}

}  // namespace hlocc::ir::detail
