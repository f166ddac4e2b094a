// The ElementalInterpreter (elemental_interpreter.h). Named *_helpers.cc so the test glob in
// CMakeLists.txt builds it into hlocc_tests.
#include "ir/elemental_interpreter.h"

#include <gtest/gtest.h>

#include <complex>

#include "ir/builder.h"
#include "ir/op_rules.h"
#include "ir/ops/rule_helpers.h"
#include "ir/ops/scalar_fn.h"

namespace hlocc::testing {
namespace {

using ir::DType;
using ir::EValue;
using ir::Literal;

template <class T>
inline constexpr bool kComplex =
    std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>;

// A scalar of `dtype` holding `value` (static_cast semantics; complex gets a zero imaginary part).
template <class V>
Literal scalar_of(DType dtype, V value) {
  Literal literal(ir::Shape::scalar(dtype));
  ir::dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (kComplex<T>) {
      literal.data<T>()[0] = T(static_cast<typename T::value_type>(value), 0);
    } else if constexpr (std::is_same_v<T, bool>) {
      literal.data<T>()[0] = value != V(0);
    } else {
      literal.data<T>()[0] = T(value);
    }
  });
  return literal;
}

const char* direction_name(ir::ops::CompareDirection direction) {
  static constexpr const char* kNames[] = {"EQ", "NE", "LT", "LE", "GT", "GE"};
  return kNames[static_cast<int>(direction)];
}

const char* compare_type_name(ir::ops::CompareType type) {
  static constexpr const char* kNames[] = {"FLOAT", "TOTALORDER", "SIGNED", "UNSIGNED"};
  return kNames[static_cast<int>(type)];
}

std::string attributes_key(const ir::Attributes& attrs) {
  std::string key;
  for (const auto& [name, value] : attrs.items()) {
    key += name + "=";
    if (const auto* text = std::get_if<std::string>(&value)) key += *text;
    if (const auto* number = std::get_if<int64_t>(&value)) key += std::to_string(*number);
    key += ";";
  }
  return key;
}

}  // namespace

ElementalInterpreter::ElementalInterpreter(const ir::Instruction& inst,
                                           std::vector<const Literal*> operands)
    : inst_(inst), operands_(std::move(operands)) {}

EValue ElementalInterpreter::own(Literal literal) {
  const DType dtype = literal.shape().dtype();
  values_.push_back(std::move(literal));
  return EValue{&values_.back(), dtype};
}

const Literal& ElementalInterpreter::value(EValue value) const {
  return *static_cast<const Literal*>(value.handle);
}

EValue ElementalInterpreter::element(const Literal& array, const ir::EIndex& index,
                                     const std::string& what) {
  const ir::Shape& shape = array.shape();
  std::vector<int64_t> position;
  for (size_t d = 0; d < index.size(); ++d) {
    EXPECT_EQ(index[d].dtype, DType::S64) << "index " << d << " of " << what;
    position.push_back(value(index[d]).data<int64_t>()[0]);
  }
  bool inside = static_cast<int64_t>(position.size()) == shape.rank();
  for (size_t d = 0; inside && d < position.size(); ++d) {
    inside = position[d] >= 0 && position[d] < shape.dim(static_cast<int64_t>(d));
  }
  if (!inside) {
    ADD_FAILURE() << inst_.name() << ": the rule read " << what << " " << shape.to_string(false)
                  << " out of bounds at " << ir::ops::braced(position);
    return own(scalar_of(shape.dtype(), 0));
  }
  Literal scalar(ir::Shape::scalar(shape.dtype()));
  ir::ops::copy_element(scalar, 0, array, array.linear_index(position));
  return own(std::move(scalar));
}

EValue ElementalInterpreter::operand(int64_t i, const ir::EIndex& index, int64_t tuple_index) {
  const Literal* array = operands_.at(static_cast<size_t>(i));
  if (tuple_index >= 0) array = &array->element(tuple_index);
  return element(*array, index, "operand " + std::to_string(i));
}

EValue ElementalInterpreter::constant(DType dtype, double value) {
  return own(scalar_of(dtype, value));
}

EValue ElementalInterpreter::int_constant(DType dtype, int64_t value) {
  return own(scalar_of(dtype, value));
}

EValue ElementalInterpreter::literal_element(const Literal& literal, const ir::EIndex& index) {
  return element(literal, index, "a literal");
}

std::vector<EValue> ElementalInterpreter::loop(const std::vector<int64_t>& bounds,
                                               std::vector<EValue> carried, const LoopBody& body) {
  ir::ops::for_each_index(bounds, [&](std::span<const int64_t> position) {
    ir::EIndex index;
    for (int64_t i : position) index.push_back(index_constant(i));
    std::vector<EValue> next = body(index, carried);
    EXPECT_EQ(next.size(), carried.size()) << "a loop body changed its carried values' count";
    for (size_t k = 0; k < next.size() && k < carried.size(); ++k) {
      EXPECT_EQ(next[k].dtype, carried[k].dtype) << "a loop body changed carried value " << k;
    }
    carried = std::move(next);
  });
  return carried;
}

std::vector<EValue> ElementalInterpreter::if_else(EValue condition, const Branch& then_branch,
                                                  const Branch& else_branch) {
  EXPECT_EQ(condition.dtype, DType::Pred) << "if_else on a non-pred condition";
  return value(condition).data<bool>()[0] ? then_branch() : else_branch();
}

std::vector<EValue> ElementalInterpreter::call(const ir::Computation& computation,
                                               std::span<const EValue> args) {
  std::vector<const Literal*> pointers;
  for (const EValue& arg : args) pointers.push_back(&value(arg));
  Result<Literal> result = evaluator_.call(computation, pointers);
  ++ops_run_;
  if (!result.ok()) {
    ADD_FAILURE() << "call of %" << computation.name() << ": " << result.error().message();
    return {};
  }
  if (!result->shape().is_tuple()) return {own(std::move(*result))};
  std::vector<EValue> elements;
  for (Literal& element : result->elements()) elements.push_back(own(std::move(element)));
  return elements;
}

EValue ElementalInterpreter::compare(ir::ops::CompareDirection direction, ir::ops::CompareType type,
                                     EValue a, EValue b) {
  ir::Attributes attrs;
  attrs.set("direction", std::string(direction_name(direction)));
  attrs.set("type", std::string(compare_type_name(type)));
  return apply(ir::Op::Compare, {a, b}, std::move(attrs), std::nullopt);
}

EValue ElementalInterpreter::select(EValue condition, EValue on_true, EValue on_false) {
  return apply(ir::Op::Select, {condition, on_true, on_false}, {}, std::nullopt);
}

EValue ElementalInterpreter::convert(EValue x, DType to) {
  return apply(ir::Op::Convert, {x}, {}, to);
}

EValue ElementalInterpreter::bitcast_convert(EValue x, DType to) {
  return apply(ir::Op::BitcastConvert, {x}, {}, to);
}

EValue ElementalInterpreter::reduce_precision(EValue x, int64_t exponent_bits,
                                              int64_t mantissa_bits) {
  ir::Attributes attrs;
  attrs.set("exponent_bits", exponent_bits);
  attrs.set("mantissa_bits", mantissa_bits);
  return apply(ir::Op::ReducePrecision, {x}, std::move(attrs), std::nullopt);
}

const ir::Instruction& ElementalInterpreter::scalar_instruction(ir::Op op,
                                                                const std::vector<DType>& types,
                                                                const ir::Attributes& attrs,
                                                                std::optional<DType> result) {
  std::string key = std::string(ir::op_name(op)) + "(";
  for (DType dtype : types) key += std::string(ir::dtype_name(dtype)) + ",";
  key += ")" + attributes_key(attrs) + (result ? std::string(ir::dtype_name(*result)) : "");
  if (auto found = instructions_.find(key); found != instructions_.end()) return *found->second;
  ir::Computation* computation =
      scratch_.add_computation(std::make_unique<ir::Computation>(scratch_.fresh_name("scalar")));
  ir::Builder builder(computation);
  std::vector<ir::Instruction*> parameters;
  for (size_t i = 0; i < types.size(); ++i) {
    parameters.push_back(builder.parameter(static_cast<int64_t>(i), ir::Shape::scalar(types[i])));
  }
  std::optional<ir::Shape> shape;
  if (result) shape = ir::Shape::scalar(*result);
  Result<ir::Instruction*> inst = builder.add(op, parameters, attrs, shape);
  HLOCC_CHECK(inst.ok()) << "elemental interpreter: " << key << ": " << inst.error().message();
  instructions_.emplace(key, *inst);
  return **inst;
}

EValue ElementalInterpreter::apply(ir::Op op, std::vector<EValue> args, ir::Attributes attrs,
                                   std::optional<DType> result) {
  std::vector<DType> types;
  std::vector<const Literal*> pointers;
  for (const EValue& arg : args) {
    types.push_back(arg.dtype);
    pointers.push_back(&value(arg));
  }
  const ir::Instruction& inst = scalar_instruction(op, types, attrs, result);
  ++ops_run_;
  Result<Literal> value = ir::op_rules(op).evaluate(inst, pointers, evaluator_);
  HLOCC_CHECK(value.ok()) << "elemental interpreter: " << inst.name() << ": "
                          << value.error().message();
  return own(std::move(*value));
}

Result<Literal> ElementalInterpreter::evaluate_all() {
  const ir::ElementalRule& rule = ir::op_rules(inst_.op()).elemental;
  if (!rule)
    return Error(inst_.name() + ": " + std::string(ir::op_name(inst_.op())) +
                 " has no elemental rule");
  const ir::Shape& shape = inst_.shape();
  std::vector<Literal> results;
  if (shape.is_tuple()) {
    for (const ir::Shape& element : shape.tuple_shapes()) results.emplace_back(element);
  } else {
    results.emplace_back(shape);
  }
  std::optional<Error> error;
  ir::ops::for_each_index(results[0].shape().dims(), [&](std::span<const int64_t> position) {
    if (error) return;
    ir::EIndex index;
    for (int64_t i : position) index.push_back(index_constant(i));
    Result<std::vector<EValue>> element = rule(*this, index);
    if (!element.ok()) {
      error = element.error();
      return;
    }
    HLOCC_CHECK(element->size() == results.size())
        << inst_.name() << ": the rule returned " << element->size() << " values";
    const int64_t linear = results[0].linear_index(position);
    for (size_t k = 0; k < results.size(); ++k) {
      HLOCC_CHECK((*element)[k].dtype == results[k].shape().dtype())
          << inst_.name() << ": the rule's value " << k << " has the wrong element type";
      ir::ops::copy_element(results[k], linear, value((*element)[k]), 0);
    }
    values_.clear();  // no handle outlives its element
  });
  if (error) return *error;
  if (shape.is_tuple()) return Literal::tuple(std::move(results));
  return std::move(results[0]);
}

Result<Literal> evaluate_elementally(const ir::Instruction& inst,
                                     std::vector<const Literal*> operands) {
  return ElementalInterpreter(inst, std::move(operands)).evaluate_all();
}

}  // namespace hlocc::testing
