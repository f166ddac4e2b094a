// The builder infers shapes through the op table and refuses bad instructions cleanly.
#include <gtest/gtest.h>

#include "backends/reference/evaluator.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "test_helpers.h"

namespace hlocc::ir {
namespace {

struct Fixture {
  Module module{"built"};
  Computation* entry = module.add_computation(std::make_unique<Computation>("main"));
  Builder builder{entry};
  Fixture() { module.set_entry(entry); }
};

TEST(Builder, InfersShapesAndBuildsAVerifiedModule) {
  Fixture f;
  Instruction* x = f.builder.parameter(0, Shape::array(DType::F32, {2, 3}), "x");
  Instruction* w = f.builder.parameter(1, Shape::array(DType::F32, {3, 4}), "w");
  Attributes dims;
  dims.set("lhs_contracting_dims", std::vector<int64_t>{1});
  dims.set("rhs_contracting_dims", std::vector<int64_t>{0});
  Result<Instruction*> dot = f.builder.add(Op::Dot, {x, w}, dims);
  ASSERT_TRUE(dot.ok()) << dot.error().message();
  EXPECT_EQ((*dot)->shape().to_string(), "f32[2,4]");
  Result<Instruction*> relu = f.builder.add(Op::Maximum, {*dot, *dot});
  ASSERT_TRUE(relu.ok());
  EXPECT_EQ(f.entry->root(), *relu);
  ASSERT_TRUE(verify(f.module).ok());

  // The printed module parses, verifies and computes the same values.
  auto reparsed = parse_module(print_module(f.module));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message();
  ASSERT_TRUE(verify(**reparsed).ok());
  const std::vector<Literal> args = {
      testing::literal("f32[2,3] {{1, 2, 3}, {4, 5, 6}}"),
      testing::literal("f32[3,4] {{1,0,0,1}, {0,1,0,1}, {0,0,1,1}}")};
  auto result = reference::evaluate(**reparsed, args);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(testing::compare_literals(testing::literal("f32[2,4] {{1, 2, 3, 6}, {4, 5, 6, 15}}"),
                                      *result),
            "");
}

TEST(Builder, RejectsABrokenRuleAndLeavesTheComputationAsItWas) {
  Fixture f;
  Instruction* a = f.builder.parameter(0, Shape::array(DType::F32, {2}));
  Instruction* b = f.builder.parameter(1, Shape::array(DType::F32, {3}));
  Result<Instruction*> sum = f.builder.add(Op::Add, {a, b});
  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.error().message().find("add"), std::string::npos) << sum.error().message();
  EXPECT_EQ(f.entry->instruction_count(), 2);
  EXPECT_EQ(f.entry->root(), b);
  EXPECT_TRUE(a->users().empty());
}

TEST(Builder, TakesTheShapeOfOpsThatNeedOne) {
  Fixture f;
  Instruction* s = f.builder.parameter(0, Shape::scalar(DType::F32));
  Attributes dims;
  dims.set("dimensions", std::vector<int64_t>{});
  auto broadcast = f.builder.add(Op::Broadcast, {s}, dims, Shape::array(DType::F32, {2, 2}));
  ASSERT_TRUE(broadcast.ok()) << broadcast.error().message();
  auto mismatch = f.builder.add(Op::Negate, {s}, {}, Shape::array(DType::F32, {2}));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message().find("differs from the inferred shape f32[]"),
            std::string::npos)
      << mismatch.error().message();
}

TEST(Builder, NamesAreFreshEvenBesideParsedOnes) {
  auto module = parse_module("HloModule m\nENTRY main {\n  add.0 = f32[] parameter(0)\n}\n");
  ASSERT_TRUE(module.ok());
  Builder builder((*module)->entry());
  auto sum =
      builder.add(Op::Add, {(*module)->entry()->parameter(0), (*module)->entry()->parameter(0)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ((*sum)->name(), "add.1");
  EXPECT_TRUE(verify(**module).ok());
}

}  // namespace
}  // namespace hlocc::ir
