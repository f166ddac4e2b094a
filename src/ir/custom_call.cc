// The custom-call handler registry: a mutex-guarded map, so handlers may be registered from any
// thread, even while modules are being evaluated.
#include "ir/custom_call.h"

#include <map>
#include <mutex>

namespace hlocc::ir {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, CustomCallFn, std::less<>> handlers;
};

// Built-in targets: "hlocc.stop_gradient" is the identity that autodiff sends no cotangent
// through (the vjp rule of custom-call, ops/control_vjp.cc).
Registry& registry() {
  static Registry instance;
  static const bool built_ins = [] {
    instance.handlers.emplace(std::string(kStopGradientTarget),
                              [](std::span<const Literal* const> operands,
                                 const Instruction&) -> Result<Literal> { return *operands[0]; });
    return true;
  }();
  (void)built_ins;
  return instance;
}

}  // namespace

void register_custom_call(std::string target, CustomCallFn fn) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  r.handlers.insert_or_assign(std::move(target), std::move(fn));
}

void unregister_custom_call(std::string_view target) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  if (auto it = r.handlers.find(target); it != r.handlers.end()) r.handlers.erase(it);
}

std::optional<CustomCallFn> find_custom_call(std::string_view target) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  auto it = r.handlers.find(target);
  if (it == r.handlers.end()) return std::nullopt;
  return it->second;
}

}  // namespace hlocc::ir
