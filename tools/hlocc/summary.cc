// Result summaries for the command line. Values are printed in HLO constant syntax by the printer.
#include "summary.h"

#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <limits>

#include "ir/printer.h"

namespace hlocc::tools {
namespace {

std::string format_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

std::string real_statistics(const ir::Literal& array) {
  double min = std::numeric_limits<double>::infinity(), max = -min, sum = 0;
  int64_t nan_count = 0;
  for (int64_t i = 0; i < array.element_count(); ++i) {
    const double value = array.get_as_double(i);
    if (std::isnan(value)) {
      ++nan_count;
      continue;
    }
    min = std::min(min, value);
    max = std::max(max, value);
    sum += value;
  }
  const int64_t counted = array.element_count() - nan_count;
  std::string text;
  if (counted > 0) {
    text = "  min " + format_number(min) + "  max " + format_number(max) + "  mean " +
           format_number(sum / static_cast<double>(counted));
  }
  if (nan_count > 0) text += "  nan " + std::to_string(nan_count);
  return text;
}

template <class T>
std::string complex_mean(const ir::Literal& array) {
  std::complex<double> sum = 0;
  for (const std::complex<T>& value : array.data<std::complex<T>>()) {
    sum += std::complex<double>(value.real(), value.imag());
  }
  sum /= static_cast<double>(array.element_count());
  return "  mean (" + format_number(sum.real()) + ", " + format_number(sum.imag()) + ")";
}

std::string statistics(const ir::Literal& array) {
  const ir::DType dtype = array.shape().dtype();
  if (array.element_count() == 0) return "  (empty)";
  if (array.element_count() == 1) return "";  // the value itself follows
  if (dtype == ir::DType::Pred) {
    int64_t true_count = 0;
    for (const bool value : array.data<bool>()) true_count += value ? 1 : 0;
    return "  true " + std::to_string(true_count) + " of " + std::to_string(array.element_count());
  }
  if (dtype == ir::DType::C64) return complex_mean<float>(array);
  if (dtype == ir::DType::C128) return complex_mean<double>(array);
  return real_statistics(array);
}

// The whole value when small; else the first kShownValues elements as a flat list.
std::string shown_values(const ir::Literal& array) {
  if (array.element_count() <= kShownValues) return ir::print_literal_value(array);
  ir::Literal head(ir::Shape::array(array.shape().dtype(), {kShownValues}));
  std::memcpy(head.raw(), array.raw(), static_cast<size_t>(head.raw_size()));
  const std::string values = ir::print_literal_value(head);
  return "first " + std::to_string(kShownValues) + " of " + std::to_string(array.element_count()) +
         ": " + values.substr(0, values.size() - 1) + ", ...}";
}

}  // namespace

std::string summarize(const ir::Literal& array) {
  const std::string shape = array.shape().to_string(false);
  if (!array.shape().is_array()) return shape;
  return shape + statistics(array) + "\n  " + shown_values(array);
}

}  // namespace hlocc::tools
