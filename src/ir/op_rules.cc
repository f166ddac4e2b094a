#include "ir/op_rules.h"

namespace hlocc::ir {
namespace {

OpRuleTable build_table() {
  OpRuleTable table;
  detail::register_leaf_ops(table);
  detail::register_elementwise_ops(table);
  detail::register_convert_ops(table);
  detail::register_shape_ops(table);
  detail::register_slice_ops(table);
  detail::register_gather_scatter_ops(table);
  detail::register_reduce_ops(table);
  detail::register_dot_conv_ops(table);
  detail::register_map_sort_ops(table);
  detail::register_control_ops(table);
  detail::register_elementwise_vjps(table);
  detail::register_shape_vjps(table);
  detail::register_reduce_vjps(table);
  detail::register_dot_conv_vjps(table);
  detail::register_control_vjps(table);
  detail::register_elementwise_elementals(table);
  detail::register_shape_elementals(table);
  detail::register_reduce_elementals(table);
  detail::register_dot_conv_elementals(table);
  detail::register_backend_lowered_ops(table);
  return table;
}

}  // namespace

const OpRules& op_rules(Op op) {
  static const OpRuleTable table = build_table();
  return table[static_cast<size_t>(op)];
}

}  // namespace hlocc::ir
