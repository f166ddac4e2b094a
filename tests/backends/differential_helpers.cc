#include "backends/differential.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "ir/printer.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

// Element k of an inexact array as a double; complex arrays count their real and imaginary
// parts as elements 2i and 2i + 1.
int64_t component_count(const ir::Literal& literal) {
  return literal.element_count() * (ir::is_complex(literal.shape().dtype()) ? 2 : 1);
}

double component(const ir::Literal& literal, int64_t k) {
  switch (literal.shape().dtype()) {
    case ir::DType::C64: {
      float part;
      std::memcpy(&part, literal.raw() + k * int64_t{sizeof(float)}, sizeof(float));
      return part;
    }
    case ir::DType::C128: {
      double part;
      std::memcpy(&part, literal.raw() + k * int64_t{sizeof(double)}, sizeof(double));
      return part;
    }
    default:
      return literal.get_as_double(k);
  }
}

// "[1,0,2]" (and " real"/" imag" for complex parts): where component k sits in the array.
std::string position(const ir::Literal& literal, int64_t k) {
  const bool complex = ir::is_complex(literal.shape().dtype());
  int64_t linear = complex ? k / 2 : k;
  const std::vector<int64_t>& dims = literal.shape().dims();
  std::vector<int64_t> index(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    index[d] = linear % dims[d];
    linear /= dims[d];
  }
  return "[" + ir::join_ints(index) + "]" + (complex ? (k % 2 ? " imag" : " real") : "");
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

std::string first_difference(const ir::Literal& expected, const ir::Literal& actual,
                             int64_t mismatches, int64_t first) {
  return std::to_string(mismatches) + " of " + std::to_string(component_count(expected)) +
         " elements differ; first at " + position(expected, first) + ": expected " +
         number(component(expected, first)) + ", got " + number(component(actual, first));
}

std::string compare_exact(const ir::Literal& expected, const ir::Literal& actual) {
  const size_t size = size_t(ir::dtype_byte_size(expected.shape().dtype()));
  int64_t mismatches = 0, first = -1;
  for (int64_t i = 0; i < expected.element_count(); ++i) {
    if (std::memcmp(expected.raw() + i * int64_t(size), actual.raw() + i * int64_t(size), size)) {
      if (mismatches++ == 0) first = i;
    }
  }
  if (mismatches == 0) return "";
  return first_difference(expected, actual, mismatches, first) + " (integers and pred: exactly)";
}

std::string compare_inexact(const ir::Literal& expected, const ir::Literal& actual,
                            const DifferentialTolerance& tolerance) {
  const int64_t count = component_count(expected);
  double largest = 0;
  for (int64_t k = 0; k < count; ++k) {
    if (std::isfinite(component(expected, k)))
      largest = std::max(largest, std::fabs(component(expected, k)));
  }
  const double floor = tolerance.floor * largest;
  int64_t mismatches = 0, first = -1;
  double error_squares = 0, expected_squares = 0;
  for (int64_t k = 0; k < count; ++k) {
    const double e = component(expected, k), a = component(actual, k);
    bool match;
    if (std::isnan(e) || std::isnan(a)) {
      match = std::isnan(e) && std::isnan(a);
    } else if (std::isinf(e) || std::isinf(a)) {
      match = e == a;
    } else {
      match = std::fabs(a - e) <= tolerance.rtol * std::fabs(e) + floor;
      error_squares += (a - e) * (a - e);
      expected_squares += e * e;
    }
    if (!match && mismatches++ == 0) first = k;
  }
  std::ostringstream rule;
  rule << " (|actual - expected| <= " << tolerance.rtol << " * |expected| + " << tolerance.floor
       << " * " << largest << " (max |expected|))";
  if (mismatches > 0) return first_difference(expected, actual, mismatches, first) + rule.str();
  const double norm_error = std::sqrt(error_squares), norm = std::sqrt(expected_squares);
  if (norm_error <= tolerance.norm_rtol * norm) return "";
  return "relative L2 error " + number(norm_error / norm) + " > " + number(tolerance.norm_rtol) +
         " (every element is within" + rule.str().substr(1) + ")";
}

Result<ir::Literal> compile_and_run(runtime::Backend& backend, const ir::Module& module,
                                    std::span<const ir::Literal> args) {
  HLOCC_TRY(const std::unique_ptr<runtime::Executable> executable, backend.compile(module));
  return executable->run(args);
}

}  // namespace

DifferentialTolerance differential_tolerance(ir::DType dtype) {
  const Tolerance tolerance = backend_tolerance(dtype);
  return {.rtol = tolerance.rtol, .floor = tolerance.atol, .norm_rtol = 10 * tolerance.rtol};
}

std::string compare_results(const ir::Literal& expected, const ir::Literal& actual,
                            std::optional<ir::DType> narrowest) {
  if (!(expected.shape() == actual.shape())) {
    return "shape: expected " + expected.shape().to_string(false) + ", got " +
           actual.shape().to_string(false);
  }
  if (expected.shape().is_tuple()) {
    for (int64_t i = 0; i < expected.shape().tuple_size(); ++i) {
      const std::string diff = compare_results(expected.element(i), actual.element(i), narrowest);
      if (!diff.empty()) return "tuple element " + std::to_string(i) + ": " + diff;
    }
    return "";
  }
  if (!expected.shape().is_array()) return "";
  const ir::DType dtype = expected.shape().dtype();
  if (!ir::is_inexact(dtype)) return compare_exact(expected, actual);
  DifferentialTolerance tolerance = differential_tolerance(dtype);
  if (narrowest) {
    const DifferentialTolerance floor = differential_tolerance(*narrowest);
    tolerance = {.rtol = std::max(tolerance.rtol, floor.rtol),
                 .floor = std::max(tolerance.floor, floor.floor),
                 .norm_rtol = std::max(tolerance.norm_rtol, floor.norm_rtol)};
  }
  return compare_inexact(expected, actual, tolerance);
}

std::optional<ir::DType> narrowest_float(const ir::Module& module) {
  std::optional<ir::DType> narrowest;
  auto visit = [&](const ir::Shape& shape, auto& self) -> void {
    for (const ir::Shape& element : shape.tuple_shapes()) self(element, self);
    if (!shape.is_array() || !ir::is_inexact(shape.dtype())) return;
    const ir::DType real = ir::complex_component_type(shape.dtype());
    if (!narrowest || differential_tolerance(real).rtol > differential_tolerance(*narrowest).rtol) {
      narrowest = real;
    }
  };
  for (const auto& computation : module.computations()) {
    for (const auto& instruction : computation->instructions()) visit(instruction->shape(), visit);
  }
  return narrowest;
}

Difference compare_backends(const ir::Module& module, std::span<const ir::Literal> args,
                            runtime::Backend& reference, runtime::Backend& candidate,
                            std::string_view context) {
  Difference difference;
  const std::string header = context.empty() ? "" : std::string(context) + ": ";
  const Result<ir::Literal> expected = compile_and_run(reference, module, args);
  if (!expected.ok()) {
    difference.reference_failed = true;
    difference.report = header + reference.name() + " failed: " + expected.error().message();
  } else if (const Result<ir::Literal> actual = compile_and_run(candidate, module, args);
             !actual.ok()) {
    difference.report = header + candidate.name() + " failed: " + actual.error().message();
  } else if (const std::string diff = compare_results(*expected, *actual, narrowest_float(module));
             !diff.empty()) {
    difference.report =
        header + candidate.name() + " differs from " + reference.name() + ": " + diff;
  }
  if (!difference.ok()) difference.report += "\nmodule:\n" + ir::print_module(module);
  return difference;
}

}  // namespace hlocc::testing
