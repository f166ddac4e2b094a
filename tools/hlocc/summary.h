// How `hlocc run` shows a result: its shape, a one-line statistical summary and the first values.
#pragma once

#include <string>

#include "ir/literal.h"

namespace hlocc::tools {

/// "f32[2,3]  min -1  max 2.5  mean 0.25  nan 0\n  {{...}}": for numbers min, max and mean (over
/// the non-NaN values; a nan count when there are any), for pred the count of true, for complex the
/// mean (none for a single element); then the whole value when it has at most kShownValues
/// elements, else the first ones.
std::string summarize(const ir::Literal& array);

inline constexpr int64_t kShownValues = 16;

}  // namespace hlocc::tools
