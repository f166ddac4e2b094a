// Reverse-mode automatic differentiation as an HLO-to-HLO transform. From a computation it builds
// another computation, in the same module, that computes the forward values and then, walking the
// instructions backwards, the cotangents of the chosen parameters, using each op's vjp rule from
// the op table (ir/vjp.h). No tape: the result is an ordinary HLO program.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::autodiff {

/// Adds to `fn`'s module the computation
///   (fn's parameters..., cotangent of fn's result) -> (fn's result, cotangent of each parameter)
/// as a tuple of 1 + parameter_count elements. The cotangent of a parameter that does not
/// influence the result, or that is not floating point, is zeros; of a tuple-shaped parameter, a
/// tuple. Errors name the instruction that cannot be differentiated.
Result<ir::Computation*> build_vjp(ir::Computation& fn, const std::string& name);

/// A new module whose entry takes `module`'s parameters and returns the tuple
/// (value, gradient with respect to parameter wrt[0], wrt[1], ...). The entry must return an f32 or
/// f64 scalar. wrt empty means every parameter.
Result<std::unique_ptr<ir::Module>> value_and_grad(const ir::Module& module,
                                                   std::vector<int64_t> wrt);

}  // namespace hlocc::autodiff
