// The random program generator's internals: a deterministic Rng, the values a computation has
// built so far, and writers that append HLO text lines. Every value a writer hands out has the
// shape its line declares, so the module verifies by construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/dtype.h"

namespace hlocc::testing::detail {

/// Draws from a seeded std::mt19937_64, whose output sequence the standard fixes; the bounded
/// draws are written here because std's distributions differ between library implementations.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, n); n > 0.
  int64_t below(int64_t n) { return static_cast<int64_t>(engine_() % static_cast<uint64_t>(n)); }
  /// Uniform in [low, high].
  int64_t between(int64_t low, int64_t high) { return low + below(high - low + 1); }
  bool chance(double probability) {
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < probability;
  }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(below(static_cast<int64_t>(items.size())))];
  }
  /// A random permutation of 0..n-1.
  std::vector<int64_t> permutation(int64_t n);
  /// Each of 0..n-1 with probability 1/2, in increasing order.
  std::vector<int64_t> subset(int64_t n);

 private:
  std::mt19937_64 engine_;
};

/// An array value an instruction produced: its name and shape.
struct Value {
  std::string name;
  ir::DType dtype = ir::DType::F32;
  std::vector<int64_t> dims;

  int64_t element_count() const;
  /// "f32[2,3]", as the HLO text declares it.
  std::string shape() const;
};

std::string shape_text(ir::DType dtype, const std::vector<int64_t>& dims);
/// "(f32[2], s32[])".
std::string tuple_shape_text(const std::vector<Value>& elements);
/// "f32[] constant(0.5)": the text of a scalar literal of `dtype` holding `number`; pred is
/// number != 0, and -inf/inf are the float infinities or the integer type's limits.
std::string scalar_literal(ir::DType dtype, double number);

enum class Reducer { Add, Max, Min, And, Or };
/// The reducers `dtype` supports (add/max/min for numbers, and/or for pred).
std::vector<Reducer> reducers_for(ir::DType dtype);

/// Values larger than this are not built, so that a program runs in well under a millisecond.
inline constexpr int64_t kMaxElements = 2048;
/// The largest dimension an op may create (parameters and fresh shapes stay within 1..7).
inline constexpr int64_t kMaxDim = 12;
inline constexpr int64_t kMaxRank = 4;

class ComputationWriter;

/// The module being written: the Rng, fresh names, and the computations finished so far
/// (callees, always finished before their callers, so the text lists callees first).
class ModuleWriter {
 public:
  ModuleWriter(uint64_t seed, int64_t max_nesting) : rng_(seed), max_nesting_(max_nesting) {}
  Rng& rng() { return rng_; }
  int64_t max_nesting() const { return max_nesting_; }
  std::string fresh_name(std::string_view prefix);
  /// The name of the scalar computation `reducer` over `dtype`, written on first use.
  std::string reducer(Reducer reducer, ir::DType dtype);
  void add_computation(std::string text) { computations_.push_back(std::move(text)); }
  /// The whole module: every finished computation, the entry last.
  std::string module_text(std::string_view module_name) const;

 private:
  Rng rng_;
  int64_t max_nesting_;
  std::map<std::string, int64_t, std::less<>> counters_;
  std::map<std::string, std::string> reducers_;
  std::vector<std::string> computations_;
};

/// One computation being written: its instruction lines and the values they define.
class ComputationWriter {
 public:
  /// `depth` counts enclosing while bodies and branches; only the entry (depth 0) may add
  /// parameters on demand, nested computations take one tuple parameter.
  ComputationWriter(ModuleWriter& module, std::string name, int64_t depth);

  ModuleWriter& module() { return module_; }
  Rng& rng() { return module_.rng(); }
  const std::string& name() const { return name_; }
  int64_t depth() const { return depth_; }
  const std::vector<Value>& values() const { return values_; }

  /// Appends `NAME = SHAPE op_text` and makes the value available to later ops.
  Value emit(ir::DType dtype, std::vector<int64_t> dims, const std::string& op_text);
  /// Appends a line of any shape text (a tuple) that is not itself an operand for random ops.
  std::string emit_other(const std::string& shape, const std::string& op_text);
  /// Appends tuple(values...): the one operand of a loop or subprogram, or a root.
  std::string tuple(const std::vector<Value>& values);
  /// The entry: a new parameter. Nested computations: their one tuple parameter, unpacked
  /// into values by get-tuple-element (`elements` are its element values' shapes).
  Value parameter(ir::DType dtype, std::vector<int64_t> dims);
  std::vector<Value> tuple_parameter(const std::vector<Value>& elements, size_t unpack = SIZE_MAX);

  /// A scalar constant, and one broadcast to `dims` (helpers: not offered to random ops).
  Value constant(ir::DType dtype, double number);
  Value splat(ir::DType dtype, const std::vector<int64_t>& dims, double number);

  /// A value to work on: usually a recent one (ops chain), sometimes any earlier one.
  std::optional<Value> pick(const std::function<bool(const Value&)>& fits);
  /// An operand of exactly this shape: a value that has it, a new parameter (entry only) or
  /// another value converted and reshaped to it.
  Value operand_of(ir::DType dtype, const std::vector<int64_t>& dims);
  /// `value` turned into `dtype` and `dims` (convert, then slice/pad, reshape, or a reduce to a
  /// scalar and a broadcast): how a loop body's results get the shapes of the loop state.
  Value coerce(const Value& value, ir::DType dtype, const std::vector<int64_t>& dims);
  Value convert(const Value& value, ir::DType dtype);

  /// The computation's text with the instruction `root_name` as its root (a copy of it when it
  /// is not the last line, since ROOT ends the text).
  std::string finish(const std::string& root_name);

 private:
  Value resize(const Value& value, const std::vector<int64_t>& dims);
  Value reduce_to_scalar(const Value& value);

  ModuleWriter& module_;
  std::string name_;
  int64_t depth_;
  std::vector<std::string> parameter_lines_;
  std::vector<std::pair<std::string, std::string>> lines_;  // name, "SHAPE op(...)"
  std::vector<Value> values_;
  int64_t parameter_count_ = 0;
};

/// Random shapes: dtypes f32 mostly, also s32, pred and f64; ranks 0-4, dims 1-7.
ir::DType random_dtype(Rng& rng);
std::vector<int64_t> random_dims(Rng& rng, int64_t max_rank = kMaxRank);

/// A counted while loop over 1-3 values (its body a small random program over the loop state),
/// a conditional (pred or index) whose branches are small random programs, and a call of one:
/// nullopt when `writer` is nested as deep as the module allows.
std::optional<Value> write_while(ComputationWriter& writer);
std::optional<Value> write_conditional(ComputationWriter& writer);
std::optional<Value> write_call(ComputationWriter& writer);

/// Draws `count` random ops into `writer`; each op adds at least one value.
void write_random_ops(ComputationWriter& writer, int64_t count);

}  // namespace hlocc::testing::detail
