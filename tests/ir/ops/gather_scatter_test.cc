// Scatter behaviour that golden files cannot express: its typed fast paths (a simple binary op,
// an overwrite) must agree with the general path that calls to_apply per element, on random data
// with duplicate and out-of-bounds indices.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "backends/reference/evaluator.h"
#include "ir/printer.h"
#include "test_helpers.h"

namespace hlocc::ir {
namespace {

using testing::parse_and_verify;

// 2x3 windows over operand dims 0 and 2 (dim 1 inserted), at start indices mapped to dims {1,0}.
// The body of to_apply is spliced in.
std::string scatter_module(const std::string& body) {
  return R"(
HloModule scatter_paths
combine {
)" + body +
         R"(
}
ENTRY main {
  operand = f32[5,4,3] parameter(0)
  indices = s32[40,2] parameter(1)
  updates = f32[40,2,3] parameter(2)
  ROOT result = f32[5,4,3] scatter(operand, indices, updates), update_window_dims={1,2}, inserted_window_dims={1}, scatter_dims_to_operand_dims={1,0}, index_vector_dim=1, to_apply=combine
}
)";
}

// Small integers, so every order of float additions gives the same exact sums.
template <class T>
Literal random_literal(std::vector<int64_t> dims, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> value(lo, hi);
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::vector<T> values(static_cast<size_t>(count));
  for (T& v : values) v = static_cast<T>(value(rng));
  return Literal::from_vector<T>(std::move(dims), values);
}

Literal run(const std::string& text, std::span<const Literal> args) {
  auto module = parse_and_verify(text);
  if (module == nullptr) return Literal();
  Result<Literal> result = reference::evaluate(*module, args);
  EXPECT_TRUE(result.ok()) << result.error().message();
  return result.ok() ? std::move(result).value() : Literal();
}

void expect_same_results(const std::string& fast_body, const std::string& general_body) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    // Start indices in [-2, 5] leave the operand often (dim 1 has size 4, dim 0 room for 2 of 5).
    const std::vector<Literal> args = {random_literal<float>({5, 4, 3}, -9, 9, rng),
                                       random_literal<int32_t>({40, 2}, -2, 5, rng),
                                       random_literal<float>({40, 2, 3}, -9, 9, rng)};
    const Literal fast = run(scatter_module(fast_body), args);
    const Literal general = run(scatter_module(general_body), args);
    ASSERT_TRUE(fast == general) << "fast: " << print_literal(fast)
                                 << "\ngeneral: " << print_literal(general);
    ASSERT_FALSE(fast == args[0]) << "no update landed; the test data exercises nothing";
  }
}

constexpr const char* kParams = "  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n";

TEST(Scatter, SimpleBinaryFastPathMatchesGeneralPath) {
  // add(a, b) is recognized as a simple binary op; adding 0 first forces the general path.
  expect_same_results(std::string(kParams) + "  ROOT r = f32[] add(a, b)",
                      std::string(kParams) +
                          "  zero = f32[] constant(0)\n  a0 = f32[] add(a, zero)\n"
                          "  ROOT r = f32[] add(a0, b)");
}

TEST(Scatter, OverwriteFastPathMatchesGeneralPath) {
  // `ROOT b` is a byte copy; multiplying by 1 computes the same through the general path. The
  // last update of a duplicated position wins on both paths.
  expect_same_results(
      "  a = f32[] parameter(0)\n  ROOT b = f32[] parameter(1)",
      std::string(kParams) + "  one = f32[] constant(1)\n  ROOT r = f32[] multiply(b, one)");
}

}  // namespace
}  // namespace hlocc::ir
