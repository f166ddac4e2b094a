// The small FileCheck that runs the pass tests: each directive must fail where FileCheck fails.
#include "passes/file_check.h"

#include <gtest/gtest.h>

namespace hlocc::testing {
namespace {

constexpr std::string_view kOutput =
    "ENTRY %main {\n  %x = f32[2] parameter(0)\n"
    "  %y = f32[2] negate(%x)\n  ROOT %z = f32[2] add(%y, %y)\n}\n";

TEST(FileCheck, ChecksMatchInOrder) {
  EXPECT_EQ(file_check("// CHECK: parameter(0)\n// CHECK: add(%y, %y)", kOutput), "");
  const std::string error = file_check("// CHECK: add(\n// CHECK: negate(", kOutput);
  EXPECT_NE(error.find("check line 2: no match for \"negate(\""), std::string::npos) << error;
}

TEST(FileCheck, CheckNextMustBeOnTheFollowingLine) {
  EXPECT_EQ(file_check("// CHECK: %x =\n// CHECK-NEXT: negate(%x)", kOutput), "");
  const std::string error = file_check("// CHECK: %x =\n// CHECK-NEXT: add(", kOutput);
  EXPECT_NE(error.find("CHECK-NEXT: \"add(\" is on output line 4"), std::string::npos) << error;
  EXPECT_NE(file_check("// CHECK-NEXT: %x", kOutput).find("CHECK-NEXT without a CHECK"),
            std::string::npos);
}

TEST(FileCheck, CheckNotLooksBetweenTheMatchesAroundIt) {
  EXPECT_EQ(file_check("// CHECK: negate\n// CHECK-NOT: parameter\n// CHECK: ROOT", kOutput), "");
  const std::string error =
      file_check("// CHECK: ENTRY\n// CHECK-NOT: negate\n// CHECK: ROOT", kOutput);
  EXPECT_NE(error.find("CHECK-NOT: found \"negate\" on output line 3"), std::string::npos) << error;
  // After the last match, up to the end of the output.
  EXPECT_NE(file_check("// CHECK: negate\n// CHECK-NOT: }", kOutput), "");
}

TEST(FileCheck, BracesHoldRegexesAndTheRestIsLiteral) {
  EXPECT_EQ(file_check("// CHECK: %{{[a-z]}} = f32[2] negate(", kOutput), "");
  EXPECT_NE(file_check("// CHECK: %x = f32.2. parameter", kOutput), "") << "'.' is literal";
  EXPECT_NE(file_check("// CHECK: %{{[0-9]}} =", kOutput), "");
}

TEST(FileCheck, RejectsWhatItDoesNotSupport) {
  EXPECT_NE(file_check("// CHECK-DAG: add", kOutput).find("unsupported directive"),
            std::string::npos);
  EXPECT_NE(file_check("// CHECK: [[X:%[a-z]]]", kOutput).find("unsupported pattern"),
            std::string::npos);
  EXPECT_NE(file_check("// CHECK:", kOutput).find("empty"), std::string::npos);
  EXPECT_EQ(file_check("// no directives", kOutput), "no CHECK lines");
}

}  // namespace
}  // namespace hlocc::testing
