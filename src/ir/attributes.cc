#include "ir/attributes.h"

#include <algorithm>
#include <array>

namespace hlocc::ir {
namespace {

struct AttrKindRow {
  std::string_view name;
  AttrKind kind;
};

// Every attribute name that hlocc interprets. Sorted by kind, then name.
constexpr std::array kAttrKinds = {
    AttrKindRow{"batch_group_count", AttrKind::Int},
    AttrKindRow{"exponent_bits", AttrKind::Int},
    AttrKindRow{"feature_group_count", AttrKind::Int},
    AttrKindRow{"index", AttrKind::Int},
    AttrKindRow{"index_vector_dim", AttrKind::Int},
    AttrKindRow{"iota_dimension", AttrKind::Int},
    AttrKindRow{"mantissa_bits", AttrKind::Int},
    AttrKindRow{"indices_are_sorted", AttrKind::Bool},
    AttrKindRow{"is_stable", AttrKind::Bool},
    AttrKindRow{"unique_indices", AttrKind::Bool},
    AttrKindRow{"collapsed_slice_dims", AttrKind::IntList},
    AttrKindRow{"dimensions", AttrKind::IntList},
    AttrKindRow{"dynamic_slice_sizes", AttrKind::IntList},
    AttrKindRow{"input_batching_dims", AttrKind::IntList},
    AttrKindRow{"inserted_window_dims", AttrKind::IntList},
    AttrKindRow{"lhs_batch_dims", AttrKind::IntList},
    AttrKindRow{"lhs_contracting_dims", AttrKind::IntList},
    AttrKindRow{"offset_dims", AttrKind::IntList},
    AttrKindRow{"operand_batching_dims", AttrKind::IntList},
    AttrKindRow{"rhs_batch_dims", AttrKind::IntList},
    AttrKindRow{"rhs_contracting_dims", AttrKind::IntList},
    AttrKindRow{"scatter_dims_to_operand_dims", AttrKind::IntList},
    AttrKindRow{"scatter_indices_batching_dims", AttrKind::IntList},
    AttrKindRow{"slice_sizes", AttrKind::IntList},
    AttrKindRow{"start_index_map", AttrKind::IntList},
    AttrKindRow{"start_indices_batching_dims", AttrKind::IntList},
    AttrKindRow{"update_window_dims", AttrKind::IntList},
    AttrKindRow{"algorithm", AttrKind::Identifier},
    AttrKindRow{"direction", AttrKind::Identifier},
    AttrKindRow{"kind", AttrKind::Identifier},
    AttrKindRow{"type", AttrKind::Identifier},
    AttrKindRow{"custom_call_target", AttrKind::String},
    AttrKindRow{"window", AttrKind::Window},
    AttrKindRow{"padding", AttrKind::Padding},
    AttrKindRow{"slice", AttrKind::Slice},
    AttrKindRow{"dim_labels", AttrKind::ConvDims},
    AttrKindRow{"body", AttrKind::Computation},
    AttrKindRow{"calls", AttrKind::Computation},
    AttrKindRow{"condition", AttrKind::Computation},
    AttrKindRow{"false_computation", AttrKind::Computation},
    AttrKindRow{"scatter", AttrKind::Computation},
    AttrKindRow{"select", AttrKind::Computation},
    AttrKindRow{"to_apply", AttrKind::Computation},
    AttrKindRow{"true_computation", AttrKind::Computation},
    AttrKindRow{"branch_computations", AttrKind::ComputationList},
    AttrKindRow{"called_computations", AttrKind::ComputationList},
};

}  // namespace

AttrKind attr_kind(std::string_view name) {
  const auto* row = std::find_if(kAttrKinds.begin(), kAttrKinds.end(),
                                 [&](const AttrKindRow& r) { return r.name == name; });
  return row == kAttrKinds.end() ? AttrKind::Raw : row->kind;
}

void Attributes::set(std::string name, AttrValue value) {
  for (Item& item : items_) {
    if (item.first == name) {
      item.second = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(name), std::move(value));
}

void Attributes::erase(std::string_view name) {
  std::erase_if(items_, [&](const Item& item) { return item.first == name; });
}

std::vector<int64_t> Attributes::int_list_or_empty(std::string_view name) const {
  const auto* list = get<std::vector<int64_t>>(name);
  return list != nullptr ? *list : std::vector<int64_t>{};
}

const AttrValue* Attributes::find(std::string_view name) const {
  for (const Item& item : items_) {
    if (item.first == name) return &item.second;
  }
  return nullptr;
}

}  // namespace hlocc::ir
