#include "ir/module.h"

#include <functional>

namespace hlocc::ir {

Computation* Module::add_computation(std::unique_ptr<Computation> computation) {
  computation->parent_ = this;
  computations_.push_back(std::move(computation));
  return computations_.back().get();
}

void Module::remove_computation(Computation* computation) {
  HLOCC_CHECK(computation != entry_) << "removing the entry computation " << computation->name();
  const size_t removed = std::erase_if(computations_, [&](const std::unique_ptr<Computation>& c) {
    return c.get() == computation;
  });
  HLOCC_CHECK(removed == 1) << "removing computation " << computation->name()
                            << ", which is not in module " << name_;
}

std::string Module::fresh_name(std::string_view prefix) {
  if (used_names_.empty()) {
    for (const auto& computation : computations_) {
      used_names_.insert(computation->name());
      for (const auto& instruction : computation->instructions()) used_names_.insert(instruction->name());
    }
  }
  auto [it, inserted] = name_counters_.try_emplace(std::string(prefix), 0);
  std::string name;
  do {
    name = it->first + "." + std::to_string(it->second++);
  } while (!used_names_.insert(name).second);
  return name;
}

Computation* Module::find_computation(std::string_view name) const {
  for (const auto& computation : computations_) {
    if (computation->name() == name) return computation.get();
  }
  return nullptr;
}

void Module::order_callees_first() {
  std::vector<std::unique_ptr<Computation>> ordered;
  std::unordered_set<const Computation*> placed;
  std::map<const Computation*, std::unique_ptr<Computation>*> slots;
  for (auto& computation : computations_) slots[computation.get()] = &computation;
  // Depth-first: a computation is placed after everything it calls (the call graph is acyclic).
  std::function<void(Computation*)> place = [&](Computation* computation) {
    if (!placed.insert(computation).second) return;
    for (const auto& instruction : computation->instructions()) {
      for (Computation* callee : instruction->called_computations()) place(callee);
    }
    ordered.push_back(std::move(*slots.at(computation)));
  };
  for (auto& computation : computations_) {
    if (computation) place(computation.get());
  }
  computations_ = std::move(ordered);
}

}  // namespace hlocc::ir
