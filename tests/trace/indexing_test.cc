// Creation, shape, slicing and indexing operations (hlocc/indexing.h), each run eagerly and
// traced. Expected values are by hand or from numpy (scripts/fixtures/indexing_fixtures.py).
#include "hlocc/indexing.h"

#include <gtest/gtest.h>

#include <limits>

#include "hlocc/hlocc.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc {
namespace {

using TensorFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

template <class T>
HostArray array(std::vector<int64_t> dims, std::vector<T> values) {
  return HostArray::from_vector<T>(std::move(dims), values);
}
HostArray f32(std::vector<int64_t> dims, std::vector<float> values) {
  return array<float>(std::move(dims), std::move(values));
}
HostArray s32(std::vector<int64_t> dims, std::vector<int32_t> values) {
  return array<int32_t>(std::move(dims), std::move(values));
}
Tensor s32_scalar(int32_t value) { return HostArray::scalar<int32_t>(value); }

// x = arange(24).reshape(4, 6) as f32.
HostArray x_4x6() {
  std::vector<float> values(24);
  for (int i = 0; i < 24; ++i) values[size_t(i)] = float(i);
  return f32({4, 6}, values);
}

std::string describe(const HostArray& a) {
  std::string text = a.shape_string() + " {";
  for (int64_t i = 0; i < a.element_count(); ++i) {
    text += (i ? ", " : "") + std::to_string(a.as_double(i));
  }
  return text + "}";
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Runs fn eagerly and traced on the inputs' types, expects `expected` from both, and the traced
// module to contain `hlo_op` (e.g. "gather(") `count` times and to parse back and verify.
void expect_values(const TensorFunction& fn, const std::vector<HostArray>& inputs,
                   const HostArray& expected, const std::string& hlo_op, size_t count = 1) {
  std::vector<Tensor> tensors(inputs.begin(), inputs.end());
  const HostArray eager = fn(tensors)[0].to_host();
  EXPECT_EQ(eager, expected) << "eager: " << describe(eager)
                             << "\nexpected: " << describe(expected);
  std::vector<TensorSpec> specs;
  for (const HostArray& input : inputs) specs.push_back({input.dtype(), input.dims()});
  const Module module = trace(fn, specs);
  const std::string text = module.to_string();
  EXPECT_EQ(count_of(text, hlo_op), count) << text;
  const HostArray traced = module.run(inputs)[0];
  EXPECT_EQ(traced, expected) << "traced: " << describe(traced) << "\n" << text;
  auto parsed = ir::parse_module(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message() << "\n" << text;
  EXPECT_TRUE(ir::verify(**parsed).ok()) << text;
}

// A one-argument function of `inputs`' first element, for the many single-input cases.
template <class Fn>
TensorFunction unary(Fn fn) {
  return [fn](const std::vector<Tensor>& args) { return std::vector<Tensor>{fn(args[0])}; };
}

// `fn` throws hlocc::Error whose message holds `substring` and points at this file.
template <class Fn>
void expect_error(Fn fn, const std::string& substring) {
  try {
    (void)fn();
    ADD_FAILURE() << "no error; expected one containing \"" << substring << "\"";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(substring), std::string::npos) << message;
    EXPECT_NE(message.find("indexing_test.cc:"), std::string::npos) << message;
  }
}

// ---- creation

TEST(IndexingCreation, ZerosOnesFull) {
  const auto creates = [](const Tensor&) { return full({2, 3}, 2.5); };
  expect_values(unary(creates), {f32({}, {0})}, f32({2, 3}, {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}),
                "broadcast(");
  EXPECT_EQ(zeros({2, 2}).to_host(), f32({2, 2}, {0, 0, 0, 0}));
  EXPECT_EQ(ones({3}, DType::S32).to_host(), s32({3}, {1, 1, 1}));
  EXPECT_EQ(full({}, 7, DType::U8).to_host(), HostArray::scalar<uint8_t>(7));
  EXPECT_EQ(full({2}, 1, DType::Pred).to_host(), array<bool>({2}, {true, true}));
  EXPECT_EQ(full({2, 0}, 3).to_host(), f32({2, 0}, {}));
  const Tensor x = array<int64_t>({2}, {5, 6});
  EXPECT_EQ(zeros_like(x).to_host(), array<int64_t>({2}, {0, 0}));
  EXPECT_EQ(ones_like(x).to_host(), array<int64_t>({2}, {1, 1}));
  // Traced: the result has the input's type, zeros_like never reads its values.
  expect_values(unary([](const Tensor& t) { return ones_like(t); }), {f32({1, 2}, {-3, 4})},
                f32({1, 2}, {1, 1}), "broadcast(");
  expect_error(
      [] {
        return zeros({2, -1});
      },
      "zeros: dimensions must not be negative; got f32[2,-1]");
}

TEST(IndexingCreation, Iota) {
  const auto iota_rows = [](const Tensor&) { return iota(DType::S32, {2, 3}, 1); };
  expect_values(unary(iota_rows), {f32({}, {0})}, s32({2, 3}, {0, 1, 2, 0, 1, 2}), "iota(");
  EXPECT_EQ(iota(DType::S32, {2, 3}, -2).to_host(), s32({2, 3}, {0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(iota(DType::F32, {4}).to_host(), f32({4}, {0, 1, 2, 3}));
  EXPECT_EQ(iota(DType::U8, {0}).to_host(), array<uint8_t>({0}, {}));
  expect_error([] { return iota(DType::S32, {}); },
               "iota: needs at least one dimension; got s32[]");
  expect_error([] { return iota(DType::Pred, {2}); }, "iota: the dtype must be");
  expect_error(
      [] {
        return iota(DType::S32, {2, 3}, 2);
      },
      "iota: axis 2 is out of range; got s32[2,3]");
  expect_error([] { return iota(DType::S32, {-2}); }, "iota: dimensions must not be negative");
}

TEST(IndexingCreation, Arange) {
  const auto counts = [](const Tensor&) { return arange(0, 5); };
  expect_values(unary(counts), {f32({}, {0})}, s32({5}, {0, 1, 2, 3, 4}), "iota(");
  EXPECT_EQ(arange(5, 0, -2).to_host(), s32({3}, {5, 3, 1}));
  EXPECT_EQ(arange(3, 3).to_host(), s32({0}, {}));
  EXPECT_EQ(arange(3, 0).to_host(), s32({0}, {}));
  EXPECT_EQ(arange(0, 1, 0.25, DType::F32).to_host(), f32({4}, {0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(arange(-1.5, 1, 1, DType::F64).to_host(), array<double>({3}, {-1.5, -0.5, 0.5}));
  // numpy: start + i * step in f64, so 3 * 0.1 is 0.30000000000000004.
  EXPECT_EQ(arange(0, 1, 0.1, DType::F64).to_host(),
            array<double>({10}, {0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001,
                                 0.7000000000000001, 0.8, 0.9}));
  EXPECT_EQ(arange(0, 3, 1, DType::U16).to_host(), array<uint16_t>({3}, {0, 1, 2}));
  expect_error([] { return arange(0, 1, 0); }, "arange: step must not be 0");
  expect_error([] { return arange(0, std::numeric_limits<double>::infinity()); },
               "arange: the number of elements is not finite");
}

// ---- shape

TEST(IndexingShape, ExpandDimsAndSqueeze) {
  const HostArray x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_values(unary([](const Tensor& t) { return expand_dims(t, 0); }), {x},
                f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}), "reshape(");
  EXPECT_EQ(expand_dims(x, -1).dims(), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(expand_dims(x, 1).dims(), (std::vector<int64_t>{2, 1, 3}));
  EXPECT_EQ(expand_dims(HostArray::scalar<int32_t>(4), 0).to_host(), s32({1}, {4}));
  const HostArray y = f32({1, 2, 1}, {7, 8});
  expect_values(unary([](const Tensor& t) { return squeeze(t); }), {y}, f32({2}, {7, 8}),
                "reshape(");
  EXPECT_EQ(squeeze(y, {-1}).dims(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(squeeze(y, {0, 2}).dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ(squeeze(f32({1, 1}, {3})).to_host(), f32({}, {3}));
  EXPECT_EQ(squeeze(f32({0, 2}, {})).dims(), (std::vector<int64_t>{0, 2}));
  expect_error([&] { return expand_dims(x, 3); },
               "expand_dims: axis 3 is out of range; got f32[2,3]");
  expect_error([&] { return squeeze(y, {1}); },
               "squeeze: axis 1 does not have size 1; got f32[1,2,1]");
  expect_error([&] { return squeeze(y, {-4}); }, "squeeze: axis -4 is out of range");
}

TEST(IndexingShape, Concatenate) {
  const HostArray a = f32({2, 2}, {1, 2, 3, 4});
  const HostArray b = f32({2, 1}, {5, 6});
  const TensorFunction last_axis = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{concatenate({args[0], args[1]}, -1)};
  };
  expect_values(last_axis, {a, b}, f32({2, 3}, {1, 2, 5, 3, 4, 6}), "concatenate(");
  EXPECT_EQ(concatenate({a, f32({1, 2}, {7, 8}), f32({0, 2}, {})}).to_host(),
            f32({3, 2}, {1, 2, 3, 4, 7, 8}));
  EXPECT_EQ(concatenate({s32({1}, {1})}).to_host(), s32({1}, {1}));
  // A C++-made tensor joins a traced one as a constant.
  const TensorFunction with_constant = [&](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{concatenate({args[0], Tensor(b)}, 1)};
  };
  expect_values(with_constant, {a}, f32({2, 3}, {1, 2, 5, 3, 4, 6}), "concatenate(");
  expect_error([] { return concatenate({}); }, "concatenate: needs at least one tensor; got none");
  expect_error(
      [] {
        return concatenate({f32({}, {1}), f32({}, {2})});
      },
      "concatenate: cannot concatenate scalars; got f32[]");
  expect_error(
      [&] {
        return concatenate({a, b}, 0);
      },
      "concatenate: dimensions must match except along axis 0; got f32[2,2] and f32[2,1]");
  expect_error(
      [&] {
        return concatenate({a, s32({2, 1}, {5, 6})}, 1);
      },
      "concatenate: operands have different dtypes; got f32[2,2] and s32[2,1]");
  expect_error([&] { return concatenate({a, f32({4}, {1, 2, 3, 4})}); }, "got f32[2,2] and f32[4]");
  expect_error([&] { return concatenate({a, a}, 2); }, "concatenate: axis 2 is out of range");
}

TEST(IndexingShape, Stack) {
  const HostArray a = f32({3}, {1, 2, 3});
  const HostArray b = f32({3}, {4, 5, 6});
  const TensorFunction stacked = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{stack({args[0], args[1]}, -1)};
  };
  expect_values(stacked, {a, b}, f32({3, 2}, {1, 4, 2, 5, 3, 6}), "concatenate(");
  EXPECT_EQ(stack({a, b}).to_host(), f32({2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(stack({s32({}, {1}), s32({}, {2})}).to_host(), s32({2}, {1, 2}));
  expect_error([] { return stack({}); }, "stack: needs at least one tensor; got none");
  expect_error(
      [&] {
        return stack({a, f32({2}, {1, 2})});
      },
      "stack: all tensors must have the same shape; got f32[3] and f32[2]");
  expect_error([&] { return stack({a, b}, 2); }, "stack: axis 2 is out of range");
}

TEST(IndexingShape, Reverse) {
  const HostArray x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_values(unary([](const Tensor& t) { return reverse(t, {1}); }), {x},
                f32({2, 3}, {3, 2, 1, 6, 5, 4}), "reverse(");
  EXPECT_EQ(reverse(x, {0, -1}).to_host(), f32({2, 3}, {6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(reverse(x, {}).to_host(), x);
  EXPECT_EQ(reverse(s32({0}, {}), {0}).to_host(), s32({0}, {}));
  expect_error([&] { return reverse(x, {1, -1}); }, "reverse: axis -1 is repeated in {1,-1}");
  expect_error([&] { return reverse(x, {2}); }, "reverse: axis 2 is out of range");
}

TEST(IndexingShape, Pad) {
  const HostArray x = f32({2, 2}, {1, 2, 3, 4});
  // numpy.pad(x, ((1, 0), (0, 2)), constant_values=-1)
  expect_values(unary([](const Tensor& t) {
                  return pad(t, {{1, 0, 0}, {0, 2, 0}}, -1);
                }),
                {x}, f32({3, 4}, {-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}), "pad(");
  // By hand: axis 1 [1, 2] -> interior [1, v, 2] -> low -1 crops [v, 2] -> high 2 [v, 2, v, v].
  EXPECT_EQ(pad(x, {{1, 0, 0}, {-1, 2, 1}}, -1).to_host(),
            f32({3, 4}, {-1, -1, -1, -1, -1, 2, -1, -1, -1, 4, -1, -1}));
  EXPECT_EQ(pad(s32({3}, {1, 2, 3}), {{0, -1, 1}}, 9).to_host(), s32({4}, {1, 9, 2, 9}));
  EXPECT_EQ(pad(s32({0}, {}), {{1, 1, 5}}).to_host(), s32({2}, {0, 0}));
  expect_error([&] { return pad(x, {{1, 1, 0}}); }, "pad: needs one PadWidth per axis (2); got 1");
  expect_error(
      [&] {
        return pad(x, {{0, 0, -1}, {0, 0, 0}});
      },
      "pad: axis 0 with low=0 high=0 interior=-1 has a negative interior");
  expect_error(
      [&] {
        return pad(x, {{0, 0, 0}, {-2, -1, 0}});
      },
      "negative interior or result size");
}

// ---- slicing

TEST(IndexingSlice, BasicSlicingLikeNumpy) {
  const HostArray x = x_4x6();
  expect_values(unary([](const Tensor& t) {
                  return slice(t, {{1, 3}});
                }),
                {x}, f32({2, 6}, {6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}), " slice(");
  EXPECT_EQ(slice(x, {{}, {std::nullopt, std::nullopt, 2}}).to_host(),
            f32({4, 3}, {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}));
  const HostArray reversed_rows = f32({4, 6}, {18, 19, 20, 21, 22, 23, 12, 13, 14, 15, 16, 17,
                                               6,  7,  8,  9,  10, 11, 0,  1,  2,  3,  4,  5});
  // x[::-1]: reverse, then slice.
  expect_values(unary([](const Tensor& t) {
                  return slice(t, {{std::nullopt, std::nullopt, -1}});
                }),
                {x}, reversed_rows, "reverse(");
  EXPECT_EQ(slice(x, {{5, -10, -1}}).to_host(), reversed_rows);  // x[5:-10:-1], both clamped
  EXPECT_EQ(slice(x, {{-1, std::nullopt, -2}, {4, 1, -2}}).to_host(), f32({2, 2}, {22, 20, 10, 8}));
  EXPECT_EQ(slice(x, {{1, std::nullopt}, {5, 0, -4}}).to_host(),
            f32({3, 2}, {11, 7, 17, 13, 23, 19}));
  EXPECT_EQ(slice(x, {{3, 1}}).to_host(), f32({0, 6}, {}));
  EXPECT_EQ(slice(x, {{-100, 100}, {-2, std::nullopt}}).to_host(),
            f32({4, 2}, {4, 5, 10, 11, 16, 17, 22, 23}));
  EXPECT_EQ(slice(x, {{std::nullopt, std::nullopt, std::numeric_limits<int64_t>::min()}}).to_host(),
            f32({1, 6}, {18, 19, 20, 21, 22, 23}));
  EXPECT_EQ(slice(x, {{std::nullopt, std::nullopt, std::numeric_limits<int64_t>::max()}}).to_host(),
            f32({1, 6}, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(slice(x, {}).to_host(), x);
  EXPECT_EQ(slice(s32({3}, {1, 2, 3}), {{-2}}).to_host(), s32({2}, {2, 3}));
  expect_error(
      [&] {
        return slice(x, {{}, {0, 1, 0}});
      },
      "slice: step must not be 0 (axis 1); got f32[4,6]");
  expect_error([&] { return slice(x, {{}, {}, {}}); }, "slice: too many slices (3) for rank 2");
}

TEST(IndexingSlice, DynamicSliceClampsLikeXla) {
  const HostArray x = x_4x6();
  const TensorFunction box = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{dynamic_slice(args[0], {args[1], args[2]}, {2, 3})};
  };
  expect_values(box, {x, HostArray::scalar<int32_t>(1), HostArray::scalar<int32_t>(2)},
                f32({2, 3}, {8, 9, 10, 14, 15, 16}), "dynamic-slice(");
  // Starts (3, -1) clamp to (2, 0) so that the 2x3 box stays inside.
  expect_values(box, {x, HostArray::scalar<int32_t>(3), HostArray::scalar<int32_t>(-1)},
                f32({2, 3}, {12, 13, 14, 18, 19, 20}), "dynamic-slice(");
  // Mixed index types (u64 and a C++-made s32) are converted to one type.
  const TensorFunction mixed = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{dynamic_slice(args[0], {args[1], s32_scalar(4)}, {1, 2})};
  };
  expect_values(mixed, {x, HostArray::scalar<uint64_t>(2)}, f32({1, 2}, {16, 17}),
                "dynamic-slice(");
  EXPECT_EQ(dynamic_slice(x, {s32_scalar(0), s32_scalar(0)}, {0, 6}).to_host(), f32({0, 6}, {}));
  expect_error(
      [&] {
        return dynamic_slice(x, {s32_scalar(0)}, {1, 1});
      },
      "dynamic_slice: needs one start index per axis (2); got 1");
  expect_error(
      [&] {
        return dynamic_slice(x, {s32_scalar(0), s32({1}, {0})}, {1, 1});
      },
      "dynamic_slice: start index 1 must be an integer scalar; got f32[4,6] and s32[1]");
  expect_error(
      [&] {
        return dynamic_slice(x, {s32_scalar(0), f32({}, {0})}, {1, 1});
      },
      "start index 1 must be an integer scalar");
  expect_error(
      [&] {
        return dynamic_slice(x, {s32_scalar(0), s32_scalar(0)}, {5, 1});
      },
      "dynamic_slice: sizes {5,1} must give each axis a size in [0, its dimension]");
}

TEST(IndexingSlice, DynamicUpdateSlice) {
  const HostArray x = f32({3, 4}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const HostArray update = f32({2, 2}, {1, 2, 3, 4});
  const TensorFunction put = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{dynamic_update_slice(args[0], args[1], {args[2], args[3]})};
  };
  expect_values(put, {x, update, HostArray::scalar<int64_t>(1), HostArray::scalar<int64_t>(1)},
                f32({3, 4}, {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0}), "dynamic-update-slice(");
  // Starts (2, 3) clamp to (1, 2).
  EXPECT_EQ(dynamic_update_slice(x, update, {s32_scalar(2), s32_scalar(3)}).to_host(),
            f32({3, 4}, {0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4}));
  expect_error(
      [&] {
        return dynamic_update_slice(x, s32({1, 1}, {1}), {s32_scalar(0), s32_scalar(0)});
      },
      "dynamic_update_slice: operands have different dtypes; got f32[3,4] and s32[1,1]");
  expect_error(
      [&] {
        return dynamic_update_slice(x, f32({4, 1}, {1, 2, 3, 4}), {s32_scalar(0), s32_scalar(0)});
      },
      "dynamic_update_slice: update must have x's rank and fit inside x; got f32[3,4] and "
      "f32[4,1]");
  expect_error([&] { return dynamic_update_slice(x, update, {s32_scalar(0)}); },
               "dynamic_update_slice: needs one start index per axis (2); got 1");
}

// ---- gather and scatter

TEST(IndexingGather, TakeRowsColumnsAndScalars) {
  const HostArray y = f32({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const TensorFunction take_fn = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{take(args[0], args[1])};
  };
  expect_values(take_fn, {y, s32({2}, {2, 0})}, f32({2, 4}, {8, 9, 10, 11, 0, 1, 2, 3}), "gather(");
  // Axis 1 with 2-d indices: -1 wraps to 3, 5 clamps to 3 (numpy would raise).
  const TensorFunction columns = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{take(args[0], args[1], -1)};
  };
  expect_values(columns, {y, s32({2, 2}, {0, -1, 5, 1})},
                f32({3, 2, 2}, {0, 3, 3, 1, 4, 7, 7, 5, 8, 11, 11, 9}), "gather(");
  EXPECT_EQ(take(y, s32({}, {2})).to_host(), f32({4}, {8, 9, 10, 11}));
  EXPECT_EQ(take(y, s32({}, {-7}), 0).to_host(), f32({4}, {0, 1, 2, 3}));  // -7 + 3 clamps to 0
  EXPECT_EQ(take(y, array<uint32_t>({2}, {1, 7}), 1).to_host(), f32({3, 2}, {1, 3, 5, 7, 9, 11}));
  // s8 indices are widened before wrapping: -1 + 200 does not overflow.
  EXPECT_EQ(take(iota(DType::S32, {200}), array<int8_t>({2}, {-1, -128})).to_host(),
            s32({2}, {199, 72}));
  EXPECT_EQ(take(y, s32({0}, {})).to_host(), f32({0, 4}, {}));
  EXPECT_EQ(take(f32({0, 2}, {}), s32({0}, {})).to_host(), f32({0, 2}, {}));
  expect_error([&] { return take(y, f32({1}, {0})); },
               "take: indices must have an integer dtype; got f32[1]");
  expect_error([&] { return take(y, s32({1}, {0}), 2); },
               "take: axis 2 is out of range; got f32[3,4]");
  expect_error(
      [&] {
        return take(f32({0, 2}, {}), s32({1}, {0}));
      },
      "take: cannot index axis 0 of size 0; got f32[0,2] and s32[1]");
}

TEST(IndexingGather, TakeAlongAxis) {
  const HostArray a = f32({2, 3}, {10, 30, 20, 60, 40, 50});
  const TensorFunction along = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{take_along_axis(args[0], args[1], 1)};
  };
  // numpy: take_along_axis(a, argsort(a, 1), 1) sorts each row.
  expect_values(along, {a, array<int64_t>({2, 3}, {0, 2, 1, 1, 2, 0})},
                f32({2, 3}, {10, 20, 30, 40, 50, 60}), "gather(");
  EXPECT_EQ(take_along_axis(a, s32({1, 3}, {1, 0, 1}), 0).to_host(), f32({1, 3}, {60, 30, 50}));
  EXPECT_EQ(take_along_axis(a, s32({2, 1}, {-1, 0}), -1).to_host(), f32({2, 1}, {20, 60}));
  // Broadcasting: x's size-1 axis 0 meets indices' 2, indices' size-1 axis meets x's 3.
  EXPECT_EQ(take_along_axis(f32({1, 3}, {1, 2, 3}), s32({2, 2}, {0, 2, 1, 1}), 1).to_host(),
            f32({2, 2}, {1, 3, 2, 2}));
  EXPECT_EQ(take_along_axis(a, s32({1, 2}, {2, 0}), 1).to_host(), f32({2, 2}, {20, 10, 50, 60}));
  EXPECT_EQ(
      take_along_axis(array<int8_t>({3}, {5, 6, 7}), array<uint16_t>({2}, {2, 2}), 0).to_host(),
      array<int8_t>({2}, {7, 7}));
  expect_error(
      [&] {
        return take_along_axis(a, s32({3}, {0, 1, 2}), 1);
      },
      "take_along_axis: x and indices must have the same rank; got f32[2,3] and s32[3]");
  expect_error(
      [&] {
        return take_along_axis(a, s32({3, 1}, {0, 1, 2}), 1);
      },
      "take_along_axis: axis 0 cannot be broadcast; got f32[2,3] and s32[3,1]");
  expect_error(
      [&] {
        return take_along_axis(a, f32({2, 1}, {0, 1}), 1);
      },
      "take_along_axis: indices must have an integer dtype");
  expect_error(
      [&] {
        return take_along_axis(a, s32({2, 1}, {0, 1}), -3);
      },
      "take_along_axis: axis -3 is out of range");
}

TEST(IndexingScatter, ScatterAddAccumulatesDuplicates) {
  const HostArray x = f32({4, 2}, {1, 1, 1, 1, 1, 1, 1, 1});
  const TensorFunction add_rows = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{scatter_add(args[0], args[1], args[2])};
  };
  // Row 0 gets three updates; -1 wraps to row 3; row 9 is out of range and dropped.
  expect_values(add_rows,
                {x, s32({5}, {0, 2, 0, -1, 9}), f32({5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 100, 100})},
                f32({4, 2}, {7, 9, 1, 1, 4, 5, 8, 9}), "scatter(");
  // numpy: z = zeros((3, 2)); add.at(z, (:, [[1, 0], [1, -2]]), arange(1, 13).reshape(3, 2, 2))
  std::vector<float> updates(12);
  for (int i = 0; i < 12; ++i) updates[size_t(i)] = float(i + 1);
  EXPECT_EQ(scatter_add(f32({3, 2}, {0, 0, 0, 0, 0, 0}), s32({2, 2}, {1, 0, 1, -2}),
                        f32({3, 2, 2}, updates), 1)
                .to_host(),
            f32({3, 2}, {6, 4, 14, 12, 22, 20}));
  EXPECT_EQ(scatter_add(s32({3}, {0, 0, 0}), array<uint8_t>({3}, {2, 2, 0}), s32({3}, {5, 6, 7}))
                .to_host(),
            s32({3}, {7, 0, 11}));
  EXPECT_EQ(
      scatter_add(array<bool>({2}, {false, true}), s32({2}, {0, 0}), array<bool>({2}, {true, true}))
          .to_host(),
      array<bool>({2}, {true, true}));  // pred adds as logical or
  // The traced module defines the add computation once.
  const Module module =
      trace(add_rows, std::vector<TensorSpec>{{DType::F32, {4, 2}}, {DType::S32, {5}}, {DType::F32, {5, 2}}});
  EXPECT_EQ(count_of(module.to_string(), "to_apply=%add_f32"), 1u) << module.to_string();
  expect_error(
      [&] {
        return scatter_add(x, s32({2}, {0, 1}), f32({2, 3}, {1, 2, 3, 4, 5, 6}));
      },
      "scatter_add: updates must have the dimensions x[:axis] + indices.dims + "
      "x[axis+1:] = {2,2}; got f32[4,2] and s32[2] and f32[2,3]");
  expect_error(
      [&] {
        return scatter_add(x, s32({1}, {0}), s32({1, 2}, {1, 2}));
      },
      "scatter_add: operands have different dtypes; got f32[4,2] and s32[1,2]");
  expect_error(
      [&] {
        return scatter_add(x, f32({1}, {0}), f32({1, 2}, {1, 2}));
      },
      "scatter_add: indices must have an integer dtype");
}

TEST(IndexingOneHot, MatchesJax) {
  const TensorFunction encode = [](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{one_hot(args[0], 3)};
  };
  // -1 and 3 are out of range: all zeros, as in jax.nn.one_hot.
  expect_values(encode, {s32({4}, {0, 2, -1, 3})},
                f32({4, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}), "iota(");
  EXPECT_EQ(one_hot(s32({2, 2}, {0, 2, 1, 0}), 3, DType::F32, 1).to_host(),
            f32({2, 3, 2}, {1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0}));
  EXPECT_EQ(one_hot(s32({2}, {1, 0}), 2, DType::S32, 0).to_host(), s32({2, 2}, {0, 1, 1, 0}));
  EXPECT_EQ(one_hot(s32({}, {1}), 2, DType::Pred).to_host(), array<bool>({2}, {false, true}));
  EXPECT_EQ(one_hot(s32({2}, {0, 1}), 0).to_host(), f32({2, 0}, {}));
  // s8 indices are widened first: an s8 iota to 201 would wrap 200 to -56 and match it.
  const HostArray hot = one_hot(array<int8_t>({1}, {-56}), 201).to_host();
  EXPECT_EQ(hot, HostArray(DType::F32, {1, 201}));
  const HostArray u8_hot = one_hot(array<uint8_t>({1}, {255}), 300).to_host();
  EXPECT_EQ(u8_hot.as_double(255), 1);
  EXPECT_EQ(u8_hot.as_double(254) + u8_hot.as_double(256), 0);
  expect_error([] { return one_hot(s32({1}, {0}), -1); },
               "one_hot: depth -1 is negative; got s32[1]");
  expect_error([] { return one_hot(f32({1}, {0}), 2); },
               "one_hot: indices must have an integer dtype");
  expect_error([] { return one_hot(s32({1}, {0}), 2, DType::F32, 2); },
               "one_hot: axis 2 is out of range");
}

TEST(IndexingJit, IndexingFunctionsRunUnderJit) {
  const auto last_rows = jit([](const Tensor& x, const Tensor& i) {
    return take(slice(x, {{std::nullopt, std::nullopt, -1}}), i);
  });
  const HostArray y = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(last_rows(y, s32({1}, {0})).to_host(), f32({1, 2}, {5, 6}));
  EXPECT_EQ(last_rows(y, s32({1}, {-1})).to_host(), f32({1, 2}, {1, 2}));
  EXPECT_EQ(last_rows.trace_count(), 1);
}

}  // namespace
}  // namespace hlocc
