// .npy I/O: files written by numpy (scripts/fixtures/make_npy_fixtures.py) read back exactly, our
// writer reproduces numpy's bytes, and every malformed file gives an error naming file and problem.
#include "runtime/npy.h"

#include <gtest/gtest.h>

#include <complex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace hlocc::runtime {
namespace {

using ir::DType;
using ir::Literal;

std::string fixture(const std::string& name) {
  return std::string(HLOCC_TEST_DATA_DIR) + "/runtime/fixtures/" + name;
}

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

Literal read_ok(const std::string& name) {
  Result<Literal> result = read_npy(fixture(name));
  EXPECT_TRUE(result.ok()) << result.error().message();
  return result.ok() ? std::move(result).value() : Literal();
}

// The error message of reading `bytes` as a file called "bad.npy".
std::string parse_error(std::string_view bytes) {
  Result<Literal> result = parse_npy(bytes, "bad.npy");
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.error().message();
}

template <class T>
void expect_int_fixture(const std::string& name, T middle) {
  SCOPED_TRACE(name);
  const T low = std::numeric_limits<T>::min(), high = std::numeric_limits<T>::max();
  EXPECT_EQ(read_ok(name),
            Literal::from_vector<T>({3}, {std::is_signed_v<T> ? low : T(0), middle, high}));
}

TEST(Npy, ReadsEveryIntegerType) {
  expect_int_fixture<int8_t>("s8_3.npy", -1);
  expect_int_fixture<int16_t>("s16_3.npy", -1);
  expect_int_fixture<int32_t>("s32_3.npy", -1);
  expect_int_fixture<int64_t>("s64_3.npy", -1);
  expect_int_fixture<uint8_t>("u8_3.npy", 7);
  expect_int_fixture<uint16_t>("u16_3.npy", 7);
  expect_int_fixture<uint32_t>("u32_3.npy", 7);
  expect_int_fixture<uint64_t>("u64_3.npy", 7);
}

TEST(Npy, ReadsFloatsComplexAndPred) {
  EXPECT_EQ(read_ok("f32_2x3.npy"),
            Literal::from_vector<float>({2, 3}, {-1, -0.5f, 0, 0.5f, 1, 1.5f}));
  EXPECT_EQ(read_ok("f64_scalar.npy"), Literal::scalar<double>(3.25));
  EXPECT_EQ(read_ok("f16_4.npy"),
            Literal::from_vector<Half>({4}, {Half(1.0f), Half(-2.5f), Half(65504.0f),
                                             Half(std::numeric_limits<float>::infinity())}));
  EXPECT_EQ(read_ok("pred_5.npy"),
            Literal::from_vector<bool>({5}, {true, false, true, true, false}));
  using C64 = std::complex<float>;
  EXPECT_EQ(read_ok("c64_2.npy"), Literal::from_vector<C64>({2}, {C64(1, 2), C64(-3.5f, 0.25f)}));
  using C128 = std::complex<double>;
  EXPECT_EQ(read_ok("c128_2x2.npy"),
            Literal::from_vector<C128>({2, 2}, {C128(1, 1), C128(2, 0), C128(0, 3), C128(-4, -4)}));
  EXPECT_EQ(read_ok("f32_empty_0x3.npy").shape().to_string(false), "f32[0,3]");
}

TEST(Npy, ReadsHeaderVersions2And3) {
  const Literal expected = Literal::from_vector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(read_ok("v2_f32_2x3.npy"), expected);
  EXPECT_EQ(read_ok("v3_f32_2x3.npy"), expected);
}

TEST(Npy, TransposesFortranOrder) {
  std::vector<int32_t> values(24);
  for (int32_t i = 0; i < 24; ++i) values[static_cast<size_t>(i)] = i;
  EXPECT_EQ(read_ok("fortran_s32_2x3x4.npy"), Literal::from_vector<int32_t>({2, 3, 4}, values));
}

TEST(Npy, WritesTheBytesNumpyWrites) {
  for (const char* name : {"f32_2x3.npy", "f64_scalar.npy", "f16_4.npy", "s8_3.npy", "u64_3.npy",
                           "pred_5.npy", "c64_2.npy", "c128_2x2.npy", "f32_empty_0x3.npy"}) {
    SCOPED_TRACE(name);
    Result<std::string> bytes = to_npy(read_ok(name));
    ASSERT_TRUE(bytes.ok()) << bytes.error().message();
    EXPECT_EQ(*bytes, file_bytes(fixture(name)));
  }
}

TEST(Npy, WriteThenReadRoundTrips) {
  const std::string path = ::testing::TempDir() + "/npy_round_trip.npy";
  const Literal literal = Literal::from_vector<int16_t>({2, 1, 2}, {1, -2, 300, -32768});
  ASSERT_TRUE(write_npy(path, literal).ok());
  Result<Literal> back = read_npy(path);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, literal);
  std::filesystem::remove(path);
}

TEST(Npy, WritesBf16AsF32) {
  const Literal bf16 = Literal::from_vector<BFloat16>({2}, {BFloat16(1.5f), BFloat16(-3.0f)});
  Result<std::string> bytes = to_npy(bf16);
  ASSERT_TRUE(bytes.ok());
  Result<Literal> back = parse_npy(*bytes, "bf16");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, Literal::from_vector<float>({2}, {1.5f, -3.0f}));
}

TEST(Npy, RejectsTuplesWhenWriting) {
  Result<std::string> bytes = to_npy(Literal::tuple({Literal::scalar<float>(1)}));
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message().find("only arrays have a .npy form; got (f32[])"),
            std::string::npos)
      << bytes.error().message();
}

TEST(NpyErrors, NameTheFileAndTheProblem) {
  const auto expect_error = [](const std::string& name, const std::string& what) {
    Result<Literal> result = read_npy(fixture(name));
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_NE(result.error().message().find(fixture(name) + ": " + what), std::string::npos)
        << result.error().message();
  };
  expect_error("big_endian_s32_3.npy", "big-endian data is not supported; got dtype '>i4'");
  expect_error("void2_3.npy", "unsupported dtype '|V2'");
  expect_error("no_such_file.npy", "cannot open file");
}

TEST(NpyErrors, CorruptBytes) {
  const std::string good = file_bytes(fixture("f32_2x3.npy"));
  EXPECT_EQ(parse_error(""), "bad.npy: not a .npy file (missing the \\x93NUMPY magic)");
  EXPECT_EQ(parse_error("PK\x03\x04 zip"),
            "bad.npy: not a .npy file (missing the \\x93NUMPY magic)");
  EXPECT_EQ(parse_error(good.substr(0, good.size() - 1)),
            "bad.npy: truncated .npy data; f32[2,3] needs 24 bytes, file has 23");
  EXPECT_EQ(parse_error(good + "x"),
            "bad.npy: corrupt .npy data; f32[2,3] needs 24 bytes, file has 25");
  EXPECT_EQ(parse_error(good.substr(0, 40)),
            "bad.npy: truncated .npy header; header length says 118 bytes, file has 30");
  std::string version9 = good;
  version9[6] = 9;
  EXPECT_EQ(parse_error(version9),
            "bad.npy: unsupported .npy format version 9; got a file needing version 1, 2 or 3");
}

TEST(NpyErrors, BadHeaders) {
  const auto with_header = [](std::string header) {
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  };
  EXPECT_NE(parse_error(with_header("{'descr': '<f4', 'shape': (2,), }")).find("needs the keys"),
            std::string::npos);
  EXPECT_NE(
      parse_error(with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}"))
          .find("descr is not a simple dtype string"),
      std::string::npos);
  EXPECT_NE(parse_error(with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}"))
                .find("expected True or False"),
            std::string::npos);
  EXPECT_NE(parse_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"))
                .find("expected a non-negative dimension"),
            std::string::npos);
  EXPECT_NE(parse_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                    "(99999999999, 99999999999)}"))
                .find("array too large"),
            std::string::npos);
  EXPECT_NE(parse_error(with_header("{'descr': '<U3', 'fortran_order': False, 'shape': ()}"))
                .find("unsupported dtype '<U3'"),
            std::string::npos);
  EXPECT_NE(parse_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                                    "'extra': 1}"))
                .find("unexpected or repeated key 'extra'"),
            std::string::npos);
}

TEST(Npy, ReadsLegacyPython2Headers) {
  const std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) +
                      '\0' + header + std::string("\x05\0\0\0\x06\0\0\0", 8);
  Result<Literal> result = parse_npy(bytes, "py2.npy");
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, Literal::from_vector<int32_t>({2}, {5, 6}));
}

TEST(Npy, NormalizesPredBytes) {
  const std::string header = "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) +
                      '\0' + header + std::string("\x00\x07", 2);
  Result<Literal> result = parse_npy(bytes, "pred.npy");
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, Literal::from_vector<bool>({2}, {false, true}));
}

}  // namespace
}  // namespace hlocc::runtime
