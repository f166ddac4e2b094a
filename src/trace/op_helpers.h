// Helpers shared by the public operations (ops.cc and its siblings): attribute building, axis
// normalization, numpy broadcasting and the checks every operation makes, each throwing
// hlocc::Error in the house format with the user's location.
#pragma once

#include <string>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"
#include "ir/attributes.h"

namespace hlocc::tracing {

/// Attributes holding one integer-list attribute, e.g. dims_attr("dimensions", {0, 1}).
ir::Attributes dims_attr(const char* name, std::vector<int64_t> values);

/// `axis` made non-negative (negative counts from the end) and checked against `rank`.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* op, const Tensor& x,
                       const Where& where);

/// The axes of a reduction, normalized, sorted and deduplicated; all axes when `axes` is empty.
std::vector<int64_t> reduction_axes(const Tensor& x, const std::vector<int64_t>& axes,
                                    const char* op, const Where& where);

/// numpy's broadcast of two shapes: trailing dims aligned, each pair equal or one of them 1.
std::vector<int64_t> broadcast_dims(const Tensor& a, const Tensor& b, const char* op,
                                    const Where& where);

/// Throws unless a and b share a dtype.
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op, const Where& where);

/// "<op>: <what>; got <shapes>" + the user's location (+ "\n  hint: ..." when hint is set).
[[noreturn]] void throw_op_error(const char* op, const std::string& what,
                                 const std::vector<Tensor>& operands, const Where& where,
                                 const std::string& hint = "");

}  // namespace hlocc::tracing
