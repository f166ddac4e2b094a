// Module: the unit of compilation. Owns its computations in definition order (callees before their
// callers, as XLA prints them) and names one of them the entry.
#pragma once

#include <memory>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/computation.h"

namespace hlocc::ir {

class Module {
 public:
  explicit Module(std::string name) : name_(std::move(name)) {}
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  Computation* add_computation(std::unique_ptr<Computation> computation);
  /// Removes (and destroys) a computation that no instruction calls any more; never the entry.
  void remove_computation(Computation* computation);
  const std::vector<std::unique_ptr<Computation>>& computations() const { return computations_; }
  Computation* find_computation(std::string_view name) const;

  /// A name for a new instruction or computation, `prefix.N`, unused so far in the module. Counts
  /// per prefix, so modules built the same way print the same way.
  std::string fresh_name(std::string_view prefix);

  /// Reorders the computations so that every callee comes before its callers (keeping the
  /// existing order otherwise), after transforms that added callees late.
  void order_callees_first();

  Computation* entry() const { return entry_; }
  void set_entry(Computation* entry) { entry_ = entry; }

  /// Header attributes after `HloModule name,` (entry_computation_layout, is_scheduled, ...),
  /// kept verbatim as name/value text.
  std::vector<std::pair<std::string, std::string>>& header_attributes() { return header_attributes_; }
  const std::vector<std::pair<std::string, std::string>>& header_attributes() const {
    return header_attributes_;
  }

 private:
  std::string name_;
  std::vector<std::unique_ptr<Computation>> computations_;
  Computation* entry_ = nullptr;
  std::vector<std::pair<std::string, std::string>> header_attributes_;
  std::map<std::string, int64_t, std::less<>> name_counters_;
  // Every name in use, filled on the first fresh_name call and kept up to date by it.
  std::unordered_set<std::string> used_names_;
};

}  // namespace hlocc::ir
