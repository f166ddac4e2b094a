// Module: the unit of compilation. Owns its computations in definition order (callees before their
// callers, as XLA prints them) and names one of them the entry.
#pragma once

#include <memory>
#include <string>
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
  const std::vector<std::unique_ptr<Computation>>& computations() const { return computations_; }
  Computation* find_computation(std::string_view name) const;

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
};

}  // namespace hlocc::ir
