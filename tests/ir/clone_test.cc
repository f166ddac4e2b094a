// clone_module and clone_instruction: a clone prints as its original does, over every .hlo file
// under tests/ (and again after the CPU pipeline has fused them), and shares nothing with it.
#include "ir/clone.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "backends/cpu/cpu_backend.h"
#include "golden/golden_files.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/pass.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

fs::path tests_dir() { return golden_dir().parent_path(); }

// Every edge of `copy` stays inside `copy`: operands in the same computation, calls to its own
// computations; and each instruction matches its original in what the printer does not show.
void expect_self_contained(const ir::Module& original, const ir::Module& copy) {
  ASSERT_EQ(copy.computations().size(), original.computations().size());
  EXPECT_EQ(copy.entry()->parent(), &copy);
  for (size_t c = 0; c < copy.computations().size(); ++c) {
    const ir::Computation& from = *original.computations()[c];
    const ir::Computation& to = *copy.computations()[c];
    EXPECT_NE(&from, &to);
    EXPECT_EQ(to.parent(), &copy);
    EXPECT_EQ(to.parameter_count(), from.parameter_count()) << to.name();
    ASSERT_EQ(to.instruction_count(), from.instruction_count()) << to.name();
    for (size_t i = 0; i < to.instructions().size(); ++i) {
      const ir::Instruction& a = *from.instructions()[i];
      const ir::Instruction& b = *to.instructions()[i];
      EXPECT_EQ(b.parent(), &to);
      for (const ir::Instruction* operand : b.operands()) EXPECT_EQ(operand->parent(), &to);
      for (const ir::Computation* called : b.called_computations())
        EXPECT_EQ(called->parent(), &copy);
      EXPECT_EQ(b.users().size(), a.users().size()) << "%" << b.name();
      EXPECT_EQ(b.location().has_value(), a.location().has_value()) << "%" << b.name();
      if (a.location() && b.location()) {
        EXPECT_EQ(b.location()->to_string(), a.location()->to_string());
      }
    }
  }
}

class CloneModule : public ::testing::TestWithParam<fs::path> {};

TEST_P(CloneModule, PrintsAsTheOriginal) {
  auto module = ir::parse_module(read_text_file(GetParam()), GetParam().filename().string());
  if (!module.ok()) GTEST_SKIP() << "a parse error case: " << module.error().message();
  const std::unique_ptr<ir::Module> copy = ir::clone_module(**module);
  EXPECT_EQ(ir::print_module(*copy), ir::print_module(**module));
  expect_self_contained(**module, *copy);
}

// After the CPU pipeline: fusion computations, kinds and layouts, added late by passes.
TEST_P(CloneModule, PrintsAsTheOriginalAfterTheCpuPipeline) {
  auto module = ir::parse_module(read_text_file(GetParam()), GetParam().filename().string());
  if (!module.ok() || !ir::verify(**module).ok()) GTEST_SKIP() << "not a valid module";
  const Status status = passes::run_passes(
      **module, cpu::CpuOptions{}.passes);
  if (!status.ok()) GTEST_SKIP() << "the pipeline rejects it: " << status.error().message();
  const std::unique_ptr<ir::Module> copy = ir::clone_module(**module);
  EXPECT_EQ(ir::print_module(*copy), ir::print_module(**module));
  expect_self_contained(**module, *copy);
  EXPECT_TRUE(ir::verify(*copy).ok());
}

std::string file_test_name(const ::testing::TestParamInfo<fs::path>& info) {
  return test_name_for(info.param, tests_dir());
}

INSTANTIATE_TEST_SUITE_P(Files, CloneModule, ::testing::ValuesIn(hlo_files_under(tests_dir())),
                         file_test_name);

constexpr std::string_view kCalls = R"(HloModule calls, is_scheduled=true
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY main {
  x = f32[4] parameter(0)
  zero = f32[] constant(0)
  total = f32[] reduce(x, zero), dimensions={0}, to_apply=add
  ROOT y = f32[4] broadcast(total), dimensions={}
}
)";

TEST(CloneModule, EditingTheCloneLeavesTheOriginal) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCalls);
  const std::string before = ir::print_module(*module);
  const std::unique_ptr<ir::Module> copy = ir::clone_module(*module);
  ASSERT_EQ(copy->header_attributes().size(), 1u);
  EXPECT_EQ(copy->header_attributes()[0].first, "is_scheduled");
  EXPECT_EQ(copy->entry()->find("zero")->literal().get<float>({}), 0.0f);
  copy->entry()->find("y")->set_name("renamed");
  copy->find_computation("add")->root()->set_name("sum");
  copy->set_name("other");
  EXPECT_EQ(ir::print_module(*module), before);
  EXPECT_NE(ir::print_module(*copy), before);
  EXPECT_EQ(copy->entry()->find("total")->called_computations().front(),
            copy->find_computation("add"));
}

TEST(CloneInstruction, CopiesEverythingButNameAndOperands) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCalls);
  const ir::Instruction& total = *module->entry()->find("total");
  ir::Computation& entry = *module->entry();
  // Same computations by default: a copy within the module.
  const std::vector<ir::Instruction*> operands = {entry.find("x"), entry.find("zero")};
  auto same = ir::clone_instruction(total, "total.copy", operands);
  EXPECT_EQ(same->name(), "total.copy");
  EXPECT_EQ(same->op(), ir::Op::Reduce);
  EXPECT_EQ(same->shape(), total.shape());
  EXPECT_EQ(same->attrs(), total.attrs());
  EXPECT_EQ(same->location()->to_string(), total.location()->to_string());
  ASSERT_EQ(same->operand_count(), 2);
  EXPECT_EQ(same->operand(1), entry.find("zero"));
  // A map sends its calls elsewhere.
  ir::Computation other("other");
  const ir::ComputationMap map = {{module->find_computation("add"), &other}};
  auto moved = ir::clone_instruction(total, "total", operands, &map);
  EXPECT_EQ(moved->called_computations(), std::vector<ir::Computation*>{&other});
  // Parameters keep their number, constants their value.
  auto parameter = ir::clone_instruction(*entry.find("x"), "p", {});
  EXPECT_EQ(parameter->parameter_number(), 0);
  auto constant = ir::clone_instruction(*entry.find("zero"), "c", {});
  EXPECT_EQ(ir::print_literal(constant->literal()),
            ir::print_literal(entry.find("zero")->literal()));
}

}  // namespace
}  // namespace hlocc::testing
