// The extension point of custom-call: a process-wide registry from custom_call_target names to
// handlers that the reference evaluator runs. Registration is thread-safe; the last one wins.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ir/instruction.h"
#include "ir/literal.h"
#include "ir/result.h"

namespace hlocc::ir {

/// The identity whose result autodiff treats as a constant (stop_gradient).
inline constexpr std::string_view kStopGradientTarget = "hlocc.stop_gradient";

/// A function with a user-defined vjp: called_computations={%fn, %bwd}; evaluates as
/// call(%fn); its cotangents are call(%bwd, operands..., result, result cotangent).
inline constexpr std::string_view kCustomVjpTarget = "hlocc.custom_vjp";

/// Computes a custom-call's result from its operands. It must return a Literal of the shape the
/// instruction declares (inst.shape()); the evaluator rejects any other.
using CustomCallFn = std::function<Result<Literal>(std::span<const Literal* const> operands,
                                                   const Instruction& inst)>;

/// Makes `fn` the handler of `custom-call(...), custom_call_target="<target>"`, replacing any
/// earlier handler of the same target.
void register_custom_call(std::string target, CustomCallFn fn);

/// Removes the handler of `target`, if any (for tests that register temporary handlers).
void unregister_custom_call(std::string_view target);

/// The handler registered for `target`, or nullopt.
std::optional<CustomCallFn> find_custom_call(std::string_view target);

}  // namespace hlocc::ir
