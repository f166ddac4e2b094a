// Every op in op_table.def has a name that round-trips and the rules every layer needs.
#include <gtest/gtest.h>

#include "ir/op_rules.h"

namespace hlocc::ir {
namespace {

TEST(OpTable, NamesAreUniqueAndRoundTrip) {
  for (int i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    ASSERT_EQ(op_from_name(op_name(op)), op) << op_name(op);
  }
}

TEST(OpTable, EveryOpHasShapeEvaluateAndVjpRules) {
  for (int i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    EXPECT_TRUE(op_rules(op).infer_shape) << op_name(op) << " has no infer_shape rule";
    EXPECT_TRUE(op_rules(op).evaluate) << op_name(op) << " has no evaluate rule";
    EXPECT_TRUE(op_rules(op).vjp) << op_name(op)
                                  << " has no vjp rule (or not_differentiable/handled_by_transform)";
  }
}

// Fused CPU loops are generated from elemental rules (ir/elemental.h); ops lowered whole by the
// backends say so with lowered_by_backend().
TEST(OpTable, EveryOpHasAnElementalRule) {
  for (int i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    EXPECT_TRUE(op_rules(op).elemental)
        << op_name(op) << " has no elemental rule (or lowered_by_backend)";
  }
}

}  // namespace
}  // namespace hlocc::ir
