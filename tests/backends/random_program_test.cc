// Random programs through every backend under test, each compared with the reference evaluator:
// seeds kFirstSeed.. (kProgramCount of them), or HLOCC_RANDOM_SEED / HLOCC_RANDOM_COUNT to rerun
// one failure. And the generator's own checks: it is deterministic, its modules verify, and it
// reaches every op the issue lists.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "backends/backends_under_test.h"
#include "backends/differential.h"
#include "backends/random_program.h"
#include "ir/op.h"

namespace hlocc::testing {
namespace {

constexpr uint64_t kFirstSeed = 1;
constexpr uint64_t kProgramCount = 1000;
constexpr int64_t kMaxReportedFailures = 5;

// The environment variable `name` as a number, or `fallback` when unset.
uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const uint64_t value = std::strtoull(text, &end, 10);
  if (*end != '\0') {
    ADD_FAILURE() << name << "=" << text << ": expected a non-negative integer";
    return fallback;
  }
  return value;
}

std::string rerun_hint(uint64_t seed) {
  return "random program seed " + std::to_string(seed) +
         " (rerun: HLOCC_RANDOM_SEED=" + std::to_string(seed) +
         " HLOCC_RANDOM_COUNT=1 hlocc_tests --gtest_filter='RandomPrograms.*'; inputs: "
         "hlocc run FILE --random " +
         std::to_string(seed) + ")";
}

TEST(RandomPrograms, MatchTheReferenceOnEveryBackend) {
  const uint64_t first = env_number("HLOCC_RANDOM_SEED", kFirstSeed);
  const uint64_t count = env_number("HLOCC_RANDOM_COUNT", kProgramCount);
  const std::unique_ptr<runtime::Backend> reference = reference_backend();
  const std::vector<std::unique_ptr<runtime::Backend>> backends = backends_under_test();
  const auto start = std::chrono::steady_clock::now();
  int64_t failures = 0, instructions = 0;
  for (uint64_t seed = first; seed < first + count && failures < kMaxReportedFailures; ++seed) {
    const Result<RandomProgram> program = random_program(seed);
    if (!program.ok()) {
      ++failures;
      ADD_FAILURE() << rerun_hint(seed) << ": the generator wrote a module that does not verify: "
                    << program.error().message();
      continue;
    }
    for (const auto& computation : program->module->computations()) {
      instructions += computation->instruction_count();
    }
    for (const std::unique_ptr<runtime::Backend>& backend : backends) {
      const Difference difference =
          compare_backends(*program->module, program->args, *reference, *backend, rerun_hint(seed));
      if (!difference.ok()) {
        ++failures;
        ADD_FAILURE() << difference.report;
      }
    }
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::cout << count << " random programs (seeds " << first << ".." << first + count - 1 << ", "
            << instructions << " instructions) on " << backends.size() << " backend(s) in "
            << elapsed.count() << " s\n";
  if (failures >= kMaxReportedFailures)
    ADD_FAILURE() << "stopped after " << failures << " failures";
}

TEST(RandomPrograms, SameSeedSameProgram) {
  EXPECT_EQ(random_program_text(7), random_program_text(7));
  EXPECT_NE(random_program_text(7), random_program_text(8));
  const Result<RandomProgram> a = random_program(7), b = random_program(7);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->args.size(), b->args.size());
  for (size_t i = 0; i < a->args.size(); ++i) EXPECT_TRUE(a->args[i] == b->args[i]) << i;
}

// What 300 programs contain: the op list (and a little more), every parameter dtype,
// loops inside loops, and entries of 5 to 40 drawn ops.
TEST(RandomPrograms, ReachEveryListedOp) {
  const std::set<ir::Op> wanted = {
      ir::Op::Add,          ir::Op::Multiply,     ir::Op::Divide,
      ir::Op::Log,          ir::Op::Exp,          ir::Op::Compare,
      ir::Op::Select,       ir::Op::Broadcast,    ir::Op::Reshape,
      ir::Op::Transpose,    ir::Op::Slice,        ir::Op::Concatenate,
      ir::Op::Pad,          ir::Op::Reverse,      ir::Op::Reduce,
      ir::Op::ReduceWindow, ir::Op::Dot,          ir::Op::Convert,
      ir::Op::Iota,         ir::Op::DynamicSlice, ir::Op::DynamicUpdateSlice,
      ir::Op::While,        ir::Op::Conditional,  ir::Op::Clamp};
  std::map<ir::Op, int64_t> seen;
  std::set<ir::DType> parameter_types;
  int64_t nested_loops = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Result<RandomProgram> program = random_program(seed);
    ASSERT_TRUE(program.ok()) << program.error().message();
    for (const auto& computation : program->module->computations()) {
      const bool in_body = computation.get() != program->module->entry();
      for (const auto& instruction : computation->instructions()) {
        ++seen[instruction->op()];
        nested_loops += in_body && instruction->op() == ir::Op::While;
      }
    }
    for (const ir::Instruction* parameter : program->module->entry()->parameters()) {
      parameter_types.insert(parameter->shape().dtype());
    }
    EXPECT_GE(program->module->entry()->instruction_count(), 5) << program->text;
  }
  for (ir::Op op : wanted) EXPECT_GT(seen[op], 0) << ir::op_name(op) << " never drawn";
  EXPECT_EQ(parameter_types,
            (std::set<ir::DType>{ir::DType::F32, ir::DType::F64, ir::DType::S32, ir::DType::Pred}));
  EXPECT_GT(nested_loops, 0);
}

}  // namespace
}  // namespace hlocc::testing
