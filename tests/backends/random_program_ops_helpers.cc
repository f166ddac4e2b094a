// The random ops: each picks operands from the computation's values, chooses attributes that
// fit their shapes, computes the result shape, and emits the line; nullopt when nothing fits.
// Elementwise math stays in its domain by construction (log(|x| + 1), x / (|y| + 1), ...).
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "backends/random_program_writer.h"
#include "ir/shape.h"

namespace hlocc::testing::detail {
namespace {

using ir::DType;

bool is_number(const Value& v) { return v.dtype != DType::Pred; }
bool is_real(const Value& v) { return ir::is_float(v.dtype); }
bool has_rank(const Value& v) { return !v.dims.empty(); }
bool any_value(const Value&) { return true; }

bool fits(const std::vector<int64_t>& dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 1 || dim > kMaxDim) return false;
    count *= dim;
  }
  return dims.size() <= size_t(kMaxRank) && count <= kMaxElements;
}

std::string call(const std::string& op, const std::vector<std::string>& operands) {
  std::string text = op + "(";
  for (size_t i = 0; i < operands.size(); ++i) text += (i ? ", " : "") + operands[i];
  return text + ")";
}

std::string int_list(const std::vector<int64_t>& values) {
  return "{" + ir::join_ints(values) + "}";
}

// The guard that keeps a unary op in its domain, applied to its operand first.
enum class Guard { None, Abs, AbsPlusOne, NegativeAbs };

Value guarded(ComputationWriter& w, const Value& x, Guard guard) {
  if (guard == Guard::None) return x;
  const Value magnitude = w.emit(x.dtype, x.dims, call("abs", {x.name}));
  if (guard == Guard::Abs) return magnitude;
  if (guard == Guard::NegativeAbs) return w.emit(x.dtype, x.dims, call("negate", {magnitude.name}));
  const Value one = w.splat(x.dtype, x.dims, 1);
  return w.emit(x.dtype, x.dims, call("add", {magnitude.name, one.name}));
}

struct UnaryOp {
  const char* name;
  Guard guard;
};

std::optional<Value> write_unary(ComputationWriter& w) {
  static const std::vector<UnaryOp> kFloat = {{"negate", Guard::None},
                                              {"abs", Guard::None},
                                              {"sine", Guard::None},
                                              {"cosine", Guard::None},
                                              {"tanh", Guard::None},
                                              {"logistic", Guard::None},
                                              {"floor", Guard::None},
                                              {"ceil", Guard::None},
                                              {"sign", Guard::None},
                                              {"round-nearest-afz", Guard::None},
                                              {"round-nearest-even", Guard::None},
                                              {"cbrt", Guard::None},
                                              {"sqrt", Guard::Abs},
                                              {"log-plus-one", Guard::Abs},
                                              {"log", Guard::AbsPlusOne},
                                              {"rsqrt", Guard::AbsPlusOne},
                                              {"exponential", Guard::NegativeAbs},
                                              {"exponential-minus-one", Guard::NegativeAbs}};
  static const std::vector<std::string> kInt = {
      "negate", "abs", "not", "popcnt", "count-leading-zeros", "sign"};
  const auto x = w.pick(any_value);
  if (!x) return std::nullopt;
  if (x->dtype == DType::Pred) return w.emit(DType::Pred, x->dims, call("not", {x->name}));
  if (!is_real(*x)) return w.emit(x->dtype, x->dims, call(w.rng().pick(kInt), {x->name}));
  if (w.rng().chance(0.05)) return w.emit(DType::Pred, x->dims, call("is-finite", {x->name}));
  const UnaryOp& op = w.rng().pick(kFloat);
  const Value operand = guarded(w, *x, op.guard);
  return w.emit(x->dtype, x->dims, call(op.name, {operand.name}));
}

// x / (|y| + 1) and remainder(x, |y| + 1): the divisor never reaches 0 (integers divide as is:
// XLA defines x / 0 and x % 0, and backends must agree on them).
std::optional<Value> write_binary(ComputationWriter& w) {
  static const std::vector<std::string> kFloat = {"add",     "subtract", "multiply", "maximum",
                                                  "minimum", "atan2",    "divide",   "remainder"};
  static const std::vector<std::string> kInt = {"add",
                                                "subtract",
                                                "multiply",
                                                "maximum",
                                                "minimum",
                                                "divide",
                                                "remainder",
                                                "and",
                                                "or",
                                                "xor",
                                                "shift-left",
                                                "shift-right-arithmetic",
                                                "shift-right-logical"};
  static const std::vector<std::string> kPred = {"and", "or", "xor"};
  const auto x = w.pick(any_value);
  if (!x) return std::nullopt;
  Value y = w.rng().chance(0.15)
                ? w.splat(x->dtype, x->dims, w.rng().pick(std::vector<double>{-2, -1, 0.5, 2, 3}))
                : w.operand_of(x->dtype, x->dims);
  const std::vector<std::string>& ops =
      x->dtype == DType::Pred ? kPred : (is_real(*x) ? kFloat : kInt);
  const std::string& op = w.rng().pick(ops);
  if (is_real(*x) && (op == "divide" || op == "remainder")) y = guarded(w, y, Guard::AbsPlusOne);
  return w.emit(x->dtype, x->dims, call(op, {x->name, y.name}));
}

std::optional<Value> write_compare_select(ComputationWriter& w) {
  static const std::vector<std::string> kOrdered = {"EQ", "NE", "LT", "LE", "GT", "GE"};
  static const std::vector<std::string> kEquality = {"EQ", "NE"};
  const auto x = w.pick(any_value);
  if (!x) return std::nullopt;
  const Value y = w.operand_of(x->dtype, x->dims);
  const std::string& direction = w.rng().pick(x->dtype == DType::Pred ? kEquality : kOrdered);
  const Value choose =
      w.emit(DType::Pred, x->dims, call("compare", {x->name, y.name}) + ", direction=" + direction);
  if (w.rng().chance(0.2)) return choose;
  const DType dtype = w.rng().chance(0.6) ? x->dtype : random_dtype(w.rng());
  const Value on_true = dtype == x->dtype ? *x : w.operand_of(dtype, x->dims);
  const Value on_false = w.operand_of(dtype, x->dims);
  return w.emit(dtype, x->dims, call("select", {choose.name, on_true.name, on_false.name}));
}

std::optional<Value> write_clamp(ComputationWriter& w) {
  const auto x = w.pick(is_number);
  if (!x) return std::nullopt;
  const double bound = is_real(*x) ? 0.5 : 2;
  const Value low = w.splat(x->dtype, x->dims, -bound);
  const Value high = w.splat(x->dtype, x->dims, bound);
  return w.emit(x->dtype, x->dims, call("clamp", {low.name, x->name, high.name}));
}

// Operand dimension i lands on result dimension dims[i]: in order, or (sometimes) permuted.
std::optional<Value> write_broadcast(ComputationWriter& w) {
  const auto x = w.pick([](const Value& v) { return v.dims.size() < size_t(kMaxRank); });
  if (!x) return std::nullopt;
  const int64_t rank = w.rng().between(int64_t(x->dims.size()), kMaxRank);
  std::vector<int64_t> positions = w.rng().permutation(rank);
  positions.resize(x->dims.size());
  if (w.rng().chance(0.7)) std::sort(positions.begin(), positions.end());
  std::vector<int64_t> dims(size_t(rank), 0);
  for (size_t i = 0; i < positions.size(); ++i) dims[size_t(positions[i])] = x->dims[i];
  for (int64_t& dim : dims) {
    if (dim == 0) dim = w.rng().between(1, 7);
  }
  if (!fits(dims)) return std::nullopt;
  return w.emit(x->dtype, dims,
                call("broadcast", {x->name}) + ", dimensions=" + int_list(positions));
}

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> factors;
  for (int64_t p = 2; p * p <= n; ++p) {
    for (; n % p == 0; n /= p) factors.push_back(p);
  }
  if (n > 1) factors.push_back(n);
  return factors;
}

// A random regrouping of the element count: each prime factor joins a random dimension that
// stays within kMaxDim, or the smallest one.
std::optional<Value> write_reshape(ComputationWriter& w) {
  const auto x = w.pick(any_value);
  if (!x) return std::nullopt;
  const int64_t count = x->element_count();
  std::vector<int64_t> dims(size_t(w.rng().between(count > 1 ? 1 : 0, kMaxRank)), 1);
  for (int64_t factor : prime_factors(count)) {
    std::vector<size_t> open;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] * factor <= kMaxDim) open.push_back(i);
    }
    if (open.empty()) return std::nullopt;
    dims[w.rng().pick(open)] *= factor;
  }
  return w.emit(x->dtype, dims, call("reshape", {x->name}));
}

std::optional<Value> write_transpose(ComputationWriter& w) {
  const auto x = w.pick([](const Value& v) { return v.dims.size() >= 2; });
  if (!x) return std::nullopt;
  const std::vector<int64_t> permutation = w.rng().permutation(int64_t(x->dims.size()));
  std::vector<int64_t> dims;
  for (int64_t source : permutation) dims.push_back(x->dims[size_t(source)]);
  return w.emit(x->dtype, dims,
                call("transpose", {x->name}) + ", dimensions=" + int_list(permutation));
}

std::optional<Value> write_slice(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  std::vector<int64_t> dims;
  std::string slices;
  for (int64_t dim : x->dims) {
    const int64_t start = w.rng().below(dim);
    const int64_t limit = w.rng().between(start + 1, dim);
    const int64_t stride = w.rng().between(1, 3);
    dims.push_back((limit - start + stride - 1) / stride);
    slices += std::string(slices.empty() ? "" : ", ") + "[" + std::to_string(start) + ":" +
              std::to_string(limit) + (stride > 1 ? ":" + std::to_string(stride) : "") + "]";
  }
  return w.emit(x->dtype, dims, call("slice", {x->name}) + ", slice={" + slices + "}");
}

std::optional<Value> write_concatenate(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  const size_t axis = size_t(w.rng().below(int64_t(x->dims.size())));
  std::vector<std::string> operands = {x->name};
  std::vector<int64_t> dims = x->dims;
  for (int64_t extra = w.rng().between(1, 2); extra > 0; --extra) {
    std::vector<int64_t> operand_dims = x->dims;
    operand_dims[axis] = w.rng().chance(0.3) ? x->dims[axis] : w.rng().between(1, 4);
    dims[axis] += operand_dims[axis];
    if (!fits(dims)) return std::nullopt;
    operands.push_back(w.operand_of(x->dtype, operand_dims).name);
  }
  return w.emit(x->dtype, dims,
                call("concatenate", operands) + ", dimensions={" + std::to_string(axis) + "}");
}

// Low and high padding in [-1, 2] (negative removes elements), interior 0 or 1.
std::optional<Value> write_pad(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  std::vector<int64_t> dims;
  std::string padding;
  for (int64_t dim : x->dims) {
    const int64_t low = w.rng().between(-1, 2);
    const int64_t high = w.rng().between(-1, 2);
    const int64_t interior = w.rng().chance(0.25) ? 1 : 0;
    dims.push_back(dim + (dim - 1) * interior + low + high);
    padding += std::string(padding.empty() ? "" : "x") + std::to_string(low) + "_" +
               std::to_string(high) + (interior ? "_" + std::to_string(interior) : "");
  }
  if (!fits(dims)) return std::nullopt;
  const Value value = w.constant(x->dtype, w.rng().pick(std::vector<double>{0, 1, -0.5}));
  return w.emit(x->dtype, dims, call("pad", {x->name, value.name}) + ", padding=" + padding);
}

std::optional<Value> write_reverse(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  std::vector<int64_t> reversed = w.rng().subset(int64_t(x->dims.size()));
  if (reversed.empty()) reversed.push_back(w.rng().below(int64_t(x->dims.size())));
  return w.emit(x->dtype, x->dims,
                call("reverse", {x->name}) + ", dimensions=" + int_list(reversed));
}

// The reducer's identity, so that the result does not depend on how a backend splits the work.
double identity(Reducer reducer) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (reducer) {
    case Reducer::Add:
      return 0;
    case Reducer::Max:
      return -kInf;
    case Reducer::Min:
      return kInf;
    case Reducer::And:
      return 1;
    case Reducer::Or:
      return 0;
  }
  return 0;
}

std::optional<Value> write_reduce(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  std::vector<int64_t> reduced = w.rng().subset(int64_t(x->dims.size()));
  if (reduced.empty()) reduced.push_back(w.rng().below(int64_t(x->dims.size())));
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x->dims.size(); ++i) {
    if (!std::count(reduced.begin(), reduced.end(), int64_t(i))) dims.push_back(x->dims[i]);
  }
  const Reducer reducer = w.rng().pick(reducers_for(x->dtype));
  const Value init = w.constant(x->dtype, identity(reducer));
  return w.emit(x->dtype, dims,
                call("reduce", {x->name, init.name}) + ", dimensions=" + int_list(reduced) +
                    ", to_apply=" + w.module().reducer(reducer, x->dtype));
}

struct WindowText {
  std::string size, stride, pad, lhs_dilate, rhs_dilate;
  void add(std::string& field, const std::string& value) {
    field += (field.empty() ? "" : "x") + value;
  }
  std::string text(bool strided, bool padded, bool dilated) const {
    std::string result = "window={size=" + size;
    if (strided) result += " stride=" + stride;
    if (padded) result += " pad=" + pad;
    if (dilated) result += " lhs_dilate=" + lhs_dilate + " rhs_dilate=" + rhs_dilate;
    return result + "}";
  }
};

// Windows of 1-3 taps, strides 1-2, padding 0-1 per side, and sometimes base and window
// dilation 2; a window larger than its padded, dilated input shrinks to one tap.
std::optional<Value> write_reduce_window(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  const bool dilated = w.rng().chance(0.15);
  bool strided = false, padded = false;
  WindowText window;
  std::vector<int64_t> dims;
  for (int64_t dim : x->dims) {
    int64_t size = w.rng().between(1, std::min<int64_t>(3, dim + 1));
    const int64_t stride = w.rng().between(1, 2);
    const int64_t low = w.rng().chance(0.3) ? 1 : 0, high = w.rng().chance(0.3) ? 1 : 0;
    const int64_t base_dilation = dilated ? w.rng().between(1, 2) : 1;
    const int64_t window_dilation = dilated ? w.rng().between(1, 2) : 1;
    const int64_t extent = (dim - 1) * base_dilation + 1 + low + high;
    if ((size - 1) * window_dilation + 1 > extent) size = 1;
    dims.push_back((extent - ((size - 1) * window_dilation + 1)) / stride + 1);
    strided |= stride > 1;
    padded |= low + high > 0;
    window.add(window.size, std::to_string(size));
    window.add(window.stride, std::to_string(stride));
    window.add(window.pad, std::to_string(low) + "_" + std::to_string(high));
    window.add(window.lhs_dilate, std::to_string(base_dilation));
    window.add(window.rhs_dilate, std::to_string(window_dilation));
  }
  const Reducer reducer = w.rng().pick(reducers_for(x->dtype));
  const Value init = w.constant(x->dtype, identity(reducer));
  return w.emit(x->dtype, dims,
                call("reduce-window", {x->name, init.name}) + ", " +
                    window.text(strided, padded, dilated) +
                    ", to_apply=" + w.module().reducer(reducer, x->dtype));
}

// dot with general dimension numbers: each lhs dimension is a batch, contracting or free
// dimension; rhs holds the matching batch and contracting dimensions and 0-2 free ones, in a
// random order. The result is batch dims (lhs order), lhs free dims, rhs free dims.
std::optional<Value> write_dot(ComputationWriter& w) {
  const auto lhs = w.pick([](const Value& v) { return is_number(v) && v.dims.size() <= 3; });
  if (!lhs) return std::nullopt;
  std::vector<int64_t> lhs_batch, lhs_contracting, result;
  for (int64_t i : w.rng().permutation(int64_t(lhs->dims.size()))) {
    const int64_t role = w.rng().below(4);  // 0: batch, 1-2: contracting, 3: free
    (role == 0 ? lhs_batch : role < 3 ? lhs_contracting : result).push_back(i);
  }
  std::sort(result.begin(), result.end());
  // rhs items in pairing order: batch, contracting, free; then scattered over rhs positions.
  std::vector<int64_t> item_sizes;
  for (int64_t i : lhs_batch) item_sizes.push_back(lhs->dims[size_t(i)]);
  for (int64_t i : lhs_contracting) item_sizes.push_back(lhs->dims[size_t(i)]);
  const size_t paired = item_sizes.size();
  for (int64_t free = w.rng().between(0, 2); free > 0; --free) {
    item_sizes.push_back(w.rng().between(1, 7));
  }
  const std::vector<int64_t> position = w.rng().permutation(int64_t(item_sizes.size()));
  std::vector<int64_t> rhs_dims(item_sizes.size());
  for (size_t j = 0; j < item_sizes.size(); ++j) rhs_dims[size_t(position[j])] = item_sizes[j];
  std::vector<int64_t> rhs_batch, rhs_contracting, rhs_free;
  for (size_t j = 0; j < item_sizes.size(); ++j) {
    (j < lhs_batch.size() ? rhs_batch
     : j < paired         ? rhs_contracting
                          : rhs_free)
        .push_back(position[j]);
  }
  std::sort(rhs_free.begin(), rhs_free.end());
  std::vector<int64_t> dims;
  for (int64_t i : lhs_batch) dims.push_back(lhs->dims[size_t(i)]);
  for (int64_t i : result) dims.push_back(lhs->dims[size_t(i)]);
  for (int64_t j : rhs_free) dims.push_back(rhs_dims[size_t(j)]);
  if (!fits(dims) || !fits(rhs_dims)) return std::nullopt;
  const Value rhs = w.operand_of(lhs->dtype, rhs_dims);
  std::string attributes;
  auto add = [&](const char* name, const std::vector<int64_t>& list) {
    if (!list.empty()) attributes += std::string(", ") + name + "=" + int_list(list);
  };
  add("lhs_batch_dims", lhs_batch);
  add("lhs_contracting_dims", lhs_contracting);
  add("rhs_batch_dims", rhs_batch);
  add("rhs_contracting_dims", rhs_contracting);
  return w.emit(lhs->dtype, dims, call("dot", {lhs->name, rhs.name}) + attributes);
}

std::optional<Value> write_iota(ComputationWriter& w) {
  static const std::vector<DType> kTypes = {DType::F32, DType::S32, DType::F64};
  std::vector<int64_t> dims = random_dims(w.rng());
  if (dims.empty()) dims.push_back(w.rng().between(1, 7));
  const int64_t axis = w.rng().below(int64_t(dims.size()));
  return w.emit(w.rng().pick(kTypes), dims, "iota(), iota_dimension=" + std::to_string(axis));
}

std::optional<Value> write_convert(ComputationWriter& w) {
  const auto x = w.pick(any_value);
  if (!x) return std::nullopt;
  const DType dtype = random_dtype(w.rng());
  if (dtype == x->dtype) return std::nullopt;
  return w.convert(*x, dtype);
}

// Start indices: an s32 scalar the program computed (a loop counter, say), or a constant in
// [-1, dim]: out-of-range starts clamp, as XLA defines.
std::vector<std::string> start_indices(ComputationWriter& w, const std::vector<int64_t>& dims) {
  auto is_index = [](const Value& v) { return v.dtype == DType::S32 && v.dims.empty(); };
  std::vector<std::string> starts;
  for (int64_t dim : dims) {
    std::optional<Value> start = w.rng().chance(0.4) ? w.pick(is_index) : std::nullopt;
    if (!start) start = w.constant(DType::S32, double(w.rng().between(-1, dim)));
    starts.push_back(start->name);
  }
  return starts;
}

std::vector<int64_t> random_window_dims(ComputationWriter& w, const std::vector<int64_t>& dims) {
  std::vector<int64_t> sizes;
  for (int64_t dim : dims) sizes.push_back(w.rng().between(1, dim));
  return sizes;
}

std::optional<Value> write_dynamic_slice(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  const std::vector<int64_t> sizes = random_window_dims(w, x->dims);
  std::vector<std::string> operands = {x->name};
  for (const std::string& start : start_indices(w, x->dims)) operands.push_back(start);
  return w.emit(x->dtype, sizes,
                call("dynamic-slice", operands) + ", dynamic_slice_sizes=" + int_list(sizes));
}

std::optional<Value> write_dynamic_update_slice(ComputationWriter& w) {
  const auto x = w.pick(has_rank);
  if (!x) return std::nullopt;
  const Value update = w.operand_of(x->dtype, random_window_dims(w, x->dims));
  std::vector<std::string> operands = {x->name, update.name};
  for (const std::string& start : start_indices(w, x->dims)) operands.push_back(start);
  return w.emit(x->dtype, x->dims, call("dynamic-update-slice", operands));
}

struct OpWriter {
  int64_t weight;
  std::optional<Value> (*write)(ComputationWriter&);
};

const std::vector<OpWriter>& op_writers() {
  static const std::vector<OpWriter> kWriters = {
      {10, write_unary},        {14, write_binary},       {6, write_compare_select},
      {2, write_clamp},         {6, write_broadcast},     {5, write_reshape},
      {5, write_transpose},     {5, write_slice},         {4, write_concatenate},
      {4, write_pad},           {3, write_reverse},       {7, write_reduce},
      {4, write_reduce_window}, {6, write_dot},           {4, write_convert},
      {2, write_iota},          {3, write_dynamic_slice}, {2, write_dynamic_update_slice},
      {3, write_while},         {3, write_conditional},   {2, write_call}};
  return kWriters;
}

}  // namespace

void write_random_ops(ComputationWriter& writer, int64_t count) {
  int64_t total_weight = 0;
  for (const OpWriter& op : op_writers()) total_weight += op.weight;
  for (int64_t i = 0; i < count; ++i) {
    // An op that finds nothing to work on (a transpose among scalars) makes way for another.
    for (int attempt = 0; attempt < 10; ++attempt) {
      int64_t draw = writer.rng().below(total_weight);
      const OpWriter* chosen = nullptr;
      for (const OpWriter& op : op_writers()) {
        if ((draw -= op.weight) < 0 && chosen == nullptr) chosen = &op;
      }
      if (chosen->write(writer)) break;
    }
  }
}

}  // namespace hlocc::testing::detail
