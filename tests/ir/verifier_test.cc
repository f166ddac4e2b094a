// Structural verifier rules (per-op shape rules are covered by the golden EXPECT_ERROR files).
#include <gtest/gtest.h>

#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::ir {
namespace {

std::string verify_error(std::string_view text) {
  auto module = parse_module(text, "test.hlo");
  if (!module.ok()) return "parse error: " + module.error().message();
  const Status status = verify(**module);
  return status.ok() ? "ok" : status.error().message();
}

TEST(Verifier, AcceptsAWellFormedModule) {
  EXPECT_EQ(verify_error(R"(HloModule m
ENTRY main {
  x = f32[2] parameter(0)
  ROOT y = f32[2] add(x, x)
})"), "ok");
}

TEST(Verifier, RejectsWrongArityWithPosition) {
  const std::string error = verify_error(R"(HloModule m
ENTRY main {
  x = f32[2] parameter(0)
  ROOT y = f32[2] add(x)
})");
  EXPECT_NE(error.find("add: expects 2 operand(s); got 1"), std::string::npos) << error;
  EXPECT_NE(error.find("test.hlo:4:"), std::string::npos) << error;
}

TEST(Verifier, RejectsMissingParameterNumbers) {
  const std::string error = verify_error(R"(HloModule m
ENTRY main {
  x = f32[2] parameter(0)
  z = f32[2] parameter(2)
  ROOT y = f32[2] add(x, z)
})");
  EXPECT_NE(error.find("parameter 1 is missing"), std::string::npos) << error;
}

TEST(Verifier, RejectsDuplicateParameterNumbers) {
  const std::string error = verify_error(R"(HloModule m
ENTRY main {
  x = f32[2] parameter(0)
  z = f32[2] parameter(0)
  ROOT y = f32[2] add(x, z)
})");
  EXPECT_NE(error.find("parameter number 0 appears twice"), std::string::npos) << error;
}

TEST(Verifier, RejectsDeclaredShapeThatDiffersFromInferred) {
  const std::string error = verify_error(R"(HloModule m
ENTRY main {
  x = f32[2] parameter(0)
  ROOT y = f32[3] negate(x)
})");
  EXPECT_NE(error.find("negate"), std::string::npos) << error;
  EXPECT_NE(error.find("f32[3]"), std::string::npos) << error;
}

}  // namespace
}  // namespace hlocc::ir
