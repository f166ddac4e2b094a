#include <gtest/gtest.h>

#include "ir/literal.h"
#include "ir/shape.h"

namespace hlocc::ir {
namespace {

TEST(Shape, PrintsLikeXla) {
  EXPECT_EQ(Shape::array(DType::F32, {2, 3}).to_string(), "f32[2,3]");
  EXPECT_EQ(Shape::scalar(DType::Pred).to_string(), "pred[]");
  Shape with_layout = Shape::array(DType::BF16, {4, 5});
  with_layout.set_layout(Layout{{0, 1}, ""});
  EXPECT_EQ(with_layout.to_string(), "bf16[4,5]{0,1}");
  EXPECT_EQ(with_layout.to_string(false), "bf16[4,5]");
  EXPECT_EQ(Shape::tuple({Shape::scalar(DType::S32), Shape::tuple({})}).to_string(), "(s32[], ())");
  EXPECT_EQ(Shape::token().to_string(), "token[]");
}

TEST(Shape, EqualityIgnoresLayoutUnlessAsked) {
  Shape a = Shape::array(DType::F32, {2, 3});
  Shape b = a;
  b.set_layout(Layout{{0, 1}, ""});
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.equal_with_layout(b));
  EXPECT_FALSE(a == Shape::array(DType::F64, {2, 3}));
  EXPECT_FALSE(a == Shape::array(DType::F32, {3, 2}));
}

TEST(Shape, SizesAndStrides) {
  const Shape s = Shape::array(DType::C64, {2, 3, 4});
  EXPECT_EQ(s.element_count(), 24);
  EXPECT_EQ(s.byte_size(), 24 * 8);
  EXPECT_EQ(row_major_strides(s.dims()), (std::vector<int64_t>{12, 4, 1}));
  EXPECT_EQ(Shape::array(DType::F32, {0, 5}).element_count(), 0);
}

TEST(DType, NamesRoundTrip) {
  for (int i = 0; i < kDTypeCount; ++i) {
    const DType dtype = static_cast<DType>(i);
    EXPECT_EQ(dtype_from_name(dtype_name(dtype)), dtype);
  }
  EXPECT_FALSE(dtype_from_name("f31").has_value());
}

TEST(Literal, StoresRowMajorAndCompares) {
  Literal a = Literal::from_vector<float>({2, 2}, {1, 2, 3, 4});
  const std::vector<int64_t> index = {1, 0};
  EXPECT_EQ(a.get<float>(index), 3.0f);
  a.set<float>(index, 7.0f);
  EXPECT_EQ(a.data<float>()[2], 7.0f);
  EXPECT_FALSE(a == Literal::from_vector<float>({2, 2}, {1, 2, 3, 4}));
  const Literal t = Literal::tuple({Literal::scalar<int32_t>(5), std::move(a)});
  EXPECT_EQ(t.shape().to_string(), "(s32[], f32[2,2])");
  EXPECT_EQ(t.element(0).get_as_double(0), 5.0);
}

}  // namespace
}  // namespace hlocc::ir
