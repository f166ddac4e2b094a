#include "test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace hlocc::testing {
namespace {

bool values_match(double expected, double actual, const Tolerance& tolerance) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  return std::fabs(actual - expected) <= tolerance.atol + tolerance.rtol * std::fabs(expected);
}

// Real and imaginary parts of element i as doubles (imaginary is 0 for non-complex types).
std::pair<double, double> element_parts(const ir::Literal& literal, int64_t i) {
  const ir::DType dtype = literal.shape().dtype();
  if (dtype == ir::DType::C64) {
    const auto v = literal.data<std::complex<float>>()[static_cast<size_t>(i)];
    return {v.real(), v.imag()};
  }
  if (dtype == ir::DType::C128) {
    const auto v = literal.data<std::complex<double>>()[static_cast<size_t>(i)];
    return {v.real(), v.imag()};
  }
  return {literal.get_as_double(i), 0.0};
}

std::string compare_arrays(const ir::Literal& expected, const ir::Literal& actual,
                           const Tolerance& tolerance) {
  const ir::DType dtype = expected.shape().dtype();
  const bool exact = !ir::is_inexact(dtype);
  int64_t mismatches = 0;
  std::ostringstream report;
  for (int64_t i = 0; i < expected.element_count(); ++i) {
    bool match;
    if (exact) {
      const int64_t size = ir::dtype_byte_size(dtype);
      match = std::memcmp(expected.raw() + i * size, actual.raw() + i * size, static_cast<size_t>(size)) == 0;
    } else {
      const auto [er, ei] = element_parts(expected, i);
      const auto [ar, ai] = element_parts(actual, i);
      match = values_match(er, ar, tolerance) && values_match(ei, ai, tolerance);
    }
    if (!match && mismatches++ < 5) {
      report << "  element " << i << ": expected " << expected.get_as_double(i) << ", got "
             << actual.get_as_double(i) << "\n";
    }
  }
  if (mismatches == 0) return "";
  return std::to_string(mismatches) + " of " + std::to_string(expected.element_count()) +
         " elements differ:\n" + report.str();
}

}  // namespace

Tolerance default_tolerance(ir::DType dtype) {
  switch (ir::complex_component_type(dtype)) {
    case ir::DType::F16: return {1e-3, 1e-3};
    case ir::DType::BF16: return {1e-2, 1e-2};
    case ir::DType::F32: return {1e-6, 1e-6};
    case ir::DType::F64: return {1e-12, 1e-12};
    default: return {0, 0};
  }
}

Tolerance backend_tolerance(ir::DType dtype) {
  switch (ir::complex_component_type(dtype)) {
    case ir::DType::F16: return {1e-3, 1e-3};
    case ir::DType::BF16: return {1e-2, 1e-2};
    case ir::DType::F32: return {1e-5, 1e-5};
    case ir::DType::F64: return {1e-12, 1e-12};
    default: return {0, 0};
  }
}

std::string compare_literals(const ir::Literal& expected, const ir::Literal& actual,
                             std::optional<Tolerance> tolerance) {
  if (!(expected.shape() == actual.shape())) {
    return "shape: expected " + expected.shape().to_string(false) + ", got " +
           actual.shape().to_string(false);
  }
  if (expected.shape().is_tuple()) {
    for (int64_t i = 0; i < expected.shape().tuple_size(); ++i) {
      const std::string diff = compare_literals(expected.element(i), actual.element(i), tolerance);
      if (!diff.empty()) return "tuple element " + std::to_string(i) + ": " + diff;
    }
    return "";
  }
  if (!expected.shape().is_array()) return "";
  return compare_arrays(expected, actual, tolerance.value_or(default_tolerance(expected.shape().dtype())));
}

std::unique_ptr<ir::Module> parse_and_verify(std::string_view text) {
  auto module = ir::parse_module(text);
  if (!module.ok()) {
    ADD_FAILURE() << "parse error: " << module.error().message();
    return nullptr;
  }
  const Status status = ir::verify(**module);
  if (!status.ok()) {
    ADD_FAILURE() << "verifier error: " << status.error().message();
    return nullptr;
  }
  return std::move(module).value();
}

ir::Literal random_f32(std::vector<int64_t> dims, uint64_t seed) {
  ir::Literal literal(ir::Shape::array(ir::DType::F32, std::move(dims)));
  uint64_t state = seed;
  for (float& value : literal.data<float>()) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    value = static_cast<float>(static_cast<double>(state >> 40) / double(1 << 23) - 1.0);
  }
  return literal;
}

ir::Literal literal(std::string_view text) {
  auto result = ir::parse_literal(text);
  if (!result.ok()) {
    ADD_FAILURE() << "literal parse error: " << result.error().message();
    return ir::Literal();
  }
  return std::move(result).value();
}

}  // namespace hlocc::testing
