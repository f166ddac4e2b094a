// The random program writers (random_program_writer.h) and the public entry points. A writer
// only hands out values whose declared shapes it computed itself; the verifier then checks them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "backends/random_program.h"
#include "backends/random_program_writer.h"
#include "ir/parser.h"
#include "ir/shape.h"
#include "ir/verifier.h"
#include "random_literal.h"

namespace hlocc::testing {
namespace detail {

using ir::DType;

namespace {

// "main.3, main.7": the operands of a tuple.
std::string names_of(const std::vector<Value>& values) {
  std::string names;
  for (const Value& value : values) names += (names.empty() ? "" : ", ") + value.name;
  return names;
}

}  // namespace

std::vector<int64_t> Rng::permutation(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[size_t(i)], order[size_t(below(i + 1))]);
  return order;
}

std::vector<int64_t> Rng::subset(int64_t n) {
  std::vector<int64_t> chosen;
  for (int64_t i = 0; i < n; ++i) {
    if (chance(0.5)) chosen.push_back(i);
  }
  return chosen;
}

int64_t Value::element_count() const {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>());
}

std::string Value::shape() const { return shape_text(dtype, dims); }

std::string shape_text(DType dtype, const std::vector<int64_t>& dims) {
  return std::string(ir::dtype_name(dtype)) + "[" + ir::join_ints(dims) + "]";
}

std::string scalar_literal(DType dtype, double number) {
  std::string text;
  if (dtype == DType::Pred) {
    text = number != 0 ? "true" : "false";
  } else if (ir::is_signed_int(dtype)) {
    const int bits = static_cast<int>(ir::dtype_byte_size(dtype)) * 8;
    const double limit = std::ldexp(1.0, bits - 1);
    const double clamped = std::clamp(number, -limit, limit - 1);
    text = std::to_string(static_cast<int64_t>(clamped));
  } else if (std::isinf(number)) {
    text = number > 0 ? "inf" : "-inf";
  } else {
    std::ostringstream out;
    out << number;
    text = out.str();
  }
  return shape_text(dtype, {}) + " constant(" + text + ")";
}

std::vector<Reducer> reducers_for(DType dtype) {
  if (dtype == DType::Pred) return {Reducer::And, Reducer::Or};
  return {Reducer::Add, Reducer::Max, Reducer::Min};
}

std::string ModuleWriter::fresh_name(std::string_view prefix) {
  auto [it, inserted] = counters_.try_emplace(std::string(prefix), 0);
  return std::string(prefix) + std::to_string(it->second++);
}

std::string ModuleWriter::reducer(Reducer reducer, DType dtype) {
  static constexpr const char* kOps[] = {"add", "maximum", "minimum", "and", "or"};
  const std::string op = kOps[static_cast<int>(reducer)];
  const std::string name = op + "_" + std::string(ir::dtype_name(dtype));
  if (reducers_.count(name)) return name;
  const std::string scalar = shape_text(dtype, {});
  std::string text = name + " {\n";
  text += "  " + name + ".a = " + scalar + " parameter(0)\n";
  text += "  " + name + ".b = " + scalar + " parameter(1)\n";
  text += "  ROOT " + name + ".r = " + scalar + " " + op + "(" + name + ".a, " + name + ".b)\n}\n";
  reducers_[name] = text;
  add_computation(std::move(text));
  return name;
}

std::string ModuleWriter::module_text(std::string_view module_name) const {
  std::string text = "HloModule " + std::string(module_name) + "\n";
  for (const std::string& computation : computations_) text += "\n" + computation;
  return text;
}

ComputationWriter::ComputationWriter(ModuleWriter& module, std::string name, int64_t depth)
    : module_(module), name_(std::move(name)), depth_(depth) {}

Value ComputationWriter::emit(DType dtype, std::vector<int64_t> dims, const std::string& op_text) {
  Value value{module_.fresh_name(name_ + "."), dtype, std::move(dims)};
  lines_.push_back({value.name, value.shape() + " " + op_text});
  values_.push_back(value);
  return value;
}

std::string ComputationWriter::emit_other(const std::string& shape, const std::string& op_text) {
  std::string name = module_.fresh_name(name_ + ".");
  lines_.push_back({name, shape + " " + op_text});
  return name;
}

std::string ComputationWriter::tuple(const std::vector<Value>& values) {
  return emit_other(tuple_shape_text(values), "tuple(" + names_of(values) + ")");
}

Value ComputationWriter::parameter(DType dtype, std::vector<int64_t> dims) {
  HLOCC_CHECK(depth_ == 0) << "only the entry takes parameters on demand";
  Value value{module_.fresh_name(name_ + ".p"), dtype, std::move(dims)};
  parameter_lines_.push_back("  " + value.name + " = " + value.shape() + " parameter(" +
                             std::to_string(parameter_count_++) + ")");
  values_.push_back(value);
  return value;
}

std::string tuple_shape_text(const std::vector<Value>& elements) {
  std::string text = "(";
  for (size_t i = 0; i < elements.size(); ++i) text += (i ? ", " : "") + elements[i].shape();
  return text + ")";
}

std::vector<Value> ComputationWriter::tuple_parameter(const std::vector<Value>& elements,
                                                      size_t unpack) {
  const std::string name = module_.fresh_name(name_ + ".state");
  parameter_lines_.push_back("  " + name + " = " + tuple_shape_text(elements) + " parameter(0)");
  std::vector<Value> unpacked;
  for (size_t i = 0; i < std::min(unpack, elements.size()); ++i) {
    unpacked.push_back(emit(elements[i].dtype, elements[i].dims,
                            "get-tuple-element(" + name + "), index=" + std::to_string(i)));
  }
  return unpacked;
}

Value ComputationWriter::constant(DType dtype, double number) {
  Value value{module_.fresh_name(name_ + "."), dtype, {}};
  lines_.push_back({value.name, scalar_literal(dtype, number)});
  return value;  // not in the pool: random ops work on computed values
}

Value ComputationWriter::splat(DType dtype, const std::vector<int64_t>& dims, double number) {
  const Value scalar = constant(dtype, number);
  if (dims.empty()) return scalar;
  Value value{module_.fresh_name(name_ + "."), dtype, dims};
  lines_.push_back({value.name, value.shape() + " broadcast(" + scalar.name + "), dimensions={}"});
  return value;
}

std::optional<Value> ComputationWriter::pick(const std::function<bool(const Value&)>& fits) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < values_.size(); ++i) {
    if (fits(values_[i])) candidates.push_back(i);
  }
  if (candidates.empty()) return std::nullopt;
  // Mostly one of the newest three, so that ops chain into deep expressions.
  const int64_t count = static_cast<int64_t>(candidates.size());
  const int64_t from = rng().chance(0.6) ? std::max<int64_t>(0, count - 3) : 0;
  return values_[candidates[size_t(rng().between(from, count - 1))]];
}

Value ComputationWriter::operand_of(DType dtype, const std::vector<int64_t>& dims) {
  auto same_shape = [&](const Value& v) { return v.dtype == dtype && v.dims == dims; };
  if (rng().chance(0.7)) {
    if (auto value = pick(same_shape)) return *value;
  }
  if (depth_ == 0 && parameter_count_ < 6 && rng().chance(0.5)) return parameter(dtype, dims);
  if (auto value = pick([](const Value&) { return true; })) return coerce(*value, dtype, dims);
  return splat(dtype, dims, 1);
}

Value ComputationWriter::coerce(const Value& value, DType dtype, const std::vector<int64_t>& dims) {
  const Value converted = value.dtype == dtype ? value : convert(value, dtype);
  return resize(converted, dims);
}

Value ComputationWriter::convert(const Value& value, DType dtype) {
  if (!ir::is_float(value.dtype) || !ir::is_integer(dtype)) {
    return emit(dtype, value.dims, "convert(" + value.name + ")");
  }
  // Floats in [-1, 1) would mostly truncate to 0: scale first, and clamp so that every value
  // converts in range (out-of-range float-to-int conversion is not what this test is about).
  const Value four = splat(value.dtype, value.dims, 4);
  const Value low = splat(value.dtype, value.dims, -64);
  const Value high = splat(value.dtype, value.dims, 64);
  const Value scaled =
      emit(value.dtype, value.dims, "multiply(" + value.name + ", " + four.name + ")");
  const Value clamped = emit(value.dtype, value.dims,
                             "clamp(" + low.name + ", " + scaled.name + ", " + high.name + ")");
  return emit(dtype, value.dims, "convert(" + clamped.name + ")");
}

// Same rank: slice off what is too long, pad with zeros what is too short. Otherwise a reshape
// when the element counts agree, else a reduction to a scalar and a broadcast.
Value ComputationWriter::resize(const Value& value, const std::vector<int64_t>& dims) {
  if (value.dims == dims) return value;
  if (value.dims.size() == dims.size()) {
    Value current = value;
    std::string slices;
    std::vector<int64_t> sliced = value.dims;
    for (size_t i = 0; i < dims.size(); ++i) {
      sliced[i] = std::min(value.dims[i], dims[i]);
      slices += (i ? ", [0:" : "[0:") + std::to_string(sliced[i]) + "]";
    }
    if (sliced != value.dims)
      current = emit(value.dtype, sliced, "slice(" + value.name + "), slice={" + slices + "}");
    if (sliced == dims) return current;
    std::string padding;
    for (size_t i = 0; i < dims.size(); ++i) {
      padding += (i ? "x0_" : "0_") + std::to_string(dims[i] - sliced[i]);
    }
    const Value zero = constant(value.dtype, 0);
    return emit(value.dtype, dims,
                "pad(" + current.name + ", " + zero.name + "), padding=" + padding);
  }
  const Value flat = value.element_count() == Value{"", value.dtype, dims}.element_count()
                         ? value
                         : reduce_to_scalar(value);
  if (flat.dims == dims) return flat;
  if (flat.dims.empty()) {
    return emit(value.dtype, dims, "broadcast(" + flat.name + "), dimensions={}");
  }
  return emit(value.dtype, dims, "reshape(" + flat.name + ")");
}

Value ComputationWriter::reduce_to_scalar(const Value& value) {
  if (value.dims.empty()) return value;
  const Reducer reducer = value.dtype == DType::Pred ? Reducer::Or : Reducer::Add;
  const Value init = constant(value.dtype, 0);
  std::vector<int64_t> all(value.dims.size());
  std::iota(all.begin(), all.end(), 0);
  return emit(value.dtype, {},
              "reduce(" + value.name + ", " + init.name + "), dimensions={" + ir::join_ints(all) +
                  "}, to_apply=" + module_.reducer(reducer, value.dtype));
}

std::string ComputationWriter::finish(const std::string& root_name) {
  if (lines_.empty() || lines_.back().first != root_name) {
    auto root = std::find_if(values_.begin(), values_.end(),
                             [&](const Value& v) { return v.name == root_name; });
    HLOCC_CHECK(root != values_.end()) << "the root must be an array value: " << root_name;
    emit(root->dtype, root->dims, "copy(" + root_name + ")");
  }
  std::string text = (depth_ == 0 ? "ENTRY " : "") + name_ + " {\n";
  for (const std::string& line : parameter_lines_) text += line + "\n";
  for (size_t i = 0; i < lines_.size(); ++i) {
    text += (i + 1 == lines_.size() ? "  ROOT " : "  ") + lines_[i].first + " = " +
            lines_[i].second + "\n";
  }
  return text + "}\n";
}

DType random_dtype(Rng& rng) {
  const int64_t draw = rng.below(20);
  if (draw < 12) return DType::F32;
  if (draw < 15) return DType::S32;
  if (draw < 17) return DType::Pred;
  return DType::F64;
}

std::vector<int64_t> random_dims(Rng& rng, int64_t max_rank) {
  static const std::vector<int64_t> kRankWeights = {1, 3, 3, 2, 1};  // ranks 0..4
  std::vector<int64_t> ranks;
  for (int64_t rank = 0; rank <= max_rank; ++rank) {
    ranks.insert(ranks.end(), size_t(kRankWeights[size_t(rank)]), rank);
  }
  std::vector<int64_t> dims(size_t(rng.pick(ranks)));
  for (int64_t& dim : dims) dim = rng.between(1, 7);
  return dims;
}

}  // namespace detail

std::string random_program_text(uint64_t seed, const RandomProgramOptions& options) {
  detail::ModuleWriter module(seed, options.max_nesting);
  detail::Rng& rng = module.rng();
  detail::ComputationWriter entry(module, "main", 0);
  entry.parameter(detail::random_dtype(rng), detail::random_dims(rng));
  detail::write_random_ops(entry, rng.between(options.min_ops, options.max_ops));
  // The newest value, and sometimes a few others: the rest of the program is dead code.
  std::vector<detail::Value> results = {entry.values().back()};
  for (int64_t extra = rng.between(0, 2); extra > 0; --extra) {
    results.push_back(rng.pick(entry.values()));
  }
  std::string root = results.front().name;
  if (results.size() > 1) root = entry.tuple(results);
  module.add_computation(entry.finish(root));
  return module.module_text("random_" + std::to_string(seed));
}

Result<RandomProgram> random_program(uint64_t seed, const RandomProgramOptions& options) {
  RandomProgram program{
      .seed = seed, .text = random_program_text(seed, options), .module = {}, .args = {}};
  auto module = ir::parse_module(program.text, "random_" + std::to_string(seed) + ".hlo");
  if (!module.ok()) return Error(module.error().message() + "\n" + program.text);
  const Status verified = ir::verify(**module);
  if (!verified.ok()) return Error(verified.error().message() + "\n" + program.text);
  program.module = std::move(module).value();
  program.args = random_arguments(*program.module->entry(), seed);
  return program;
}

std::vector<ir::Literal> random_arguments(const ir::Computation& entry, uint64_t seed) {
  std::vector<ir::Literal> args;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const uint64_t parameter_seed = tools::derive_seed(seed, static_cast<uint64_t>(i));
    args.push_back(tools::random_literal(entry.parameter(i)->shape(), parameter_seed));
  }
  return args;
}

}  // namespace hlocc::testing
