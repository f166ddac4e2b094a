// Computation::insert_before and Module::remove_computation: the edits that passes make.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

constexpr std::string_view kModule = R"(HloModule edits
unused {
  u = f32[] parameter(0)
  ROOT v = f32[] negate(u)
}
ENTRY main {
  x = f32[] parameter(0)
  ROOT y = f32[] exponential(x)
}
)";

TEST(Computation, InsertBeforePlacesInstructionsInOrderAndKeepsTheRoot) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kModule);
  ir::Computation& entry = *module->entry();
  ir::Instruction* x = entry.find("x");
  ir::Instruction* y = entry.find("y");
  std::vector<std::unique_ptr<ir::Instruction>> inserted;
  inserted.push_back(std::make_unique<ir::Instruction>(ir::Op::Negate, x->shape(), "a"));
  inserted.back()->append_operand(x);
  inserted.push_back(std::make_unique<ir::Instruction>(ir::Op::Sine, x->shape(), "b"));
  inserted.back()->append_operand(inserted.front().get());
  ir::Instruction* b = inserted.back().get();
  entry.insert_before(y, std::move(inserted));
  y->replace_operand(0, b);

  EXPECT_EQ(entry.root(), y);
  EXPECT_EQ(b->parent(), &entry);
  EXPECT_EQ(ir::print_computation(entry),
            "ENTRY %main (x: f32[]) -> f32[] {\n"
            "  %x = f32[] parameter(0)\n"
            "  %a = f32[] negate(%x)\n"
            "  %b = f32[] sine(%a)\n"
            "  ROOT %y = f32[] exponential(%b)\n"
            "}\n");
  EXPECT_TRUE(ir::verify(*module).ok());
}

TEST(Computation, InsertBeforeRecordsParameters) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kModule);
  ir::Computation& entry = *module->entry();
  std::vector<std::unique_ptr<ir::Instruction>> inserted;
  inserted.push_back(
      std::make_unique<ir::Instruction>(ir::Op::Parameter, ir::Shape::scalar(ir::DType::S32), "n"));
  inserted.back()->set_parameter_number(1);
  entry.insert_before(entry.find("y"), std::move(inserted));
  ASSERT_EQ(entry.parameter_count(), 2);
  EXPECT_EQ(entry.parameter(1), entry.find("n"));
}

TEST(Module, RemoveComputation) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kModule);
  module->remove_computation(module->find_computation("unused"));
  EXPECT_EQ(module->find_computation("unused"), nullptr);
  ASSERT_EQ(module->computations().size(), 1u);
  EXPECT_EQ(module->computations()[0].get(), module->entry());
}

TEST(ModuleDeathTest, NeverRemovesTheEntry) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kModule);
  EXPECT_DEATH(module->remove_computation(module->entry()), "removing the entry computation main");
}

}  // namespace
}  // namespace hlocc::testing
