// safetensors reading and writing: round trips, the exact bytes of a small file laid out by hand
// per the format's specification, and a clear error for each kind of damage.
#include "runtime/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

namespace hlocc::runtime {
namespace {

std::string with_length_prefix(const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  const uint64_t size = header.size();
  std::memcpy(bytes.data(), &size, 8);
  return bytes + header + data;
}

TEST(Safetensors, RoundTripsEveryStorableDtypeAndOrdersByName) {
  NamedLiterals tensors;
  tensors.emplace_back("b.weight", ir::Literal::from_vector<float>({2, 2}, {1, -2, 3.5f, 0}));
  tensors.emplace_back("a.count", ir::Literal::from_vector<int64_t>({3}, {7, -1, 1LL << 40}));
  tensors.emplace_back("c.mask", ir::Literal::from_vector<bool>({2}, {true, false}));
  tensors.emplace_back("d.scalar", ir::Literal::scalar<double>(0.25));
  const Result<std::string> bytes = to_safetensors(tensors);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes->data(), 8);
  EXPECT_EQ(header_size % 8, 0u) << "the header is padded to 8 bytes, as the Python writer does";
  const Result<NamedLiterals> back = parse_safetensors(*bytes, "t.safetensors");
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_EQ(back->size(), 4u);
  EXPECT_EQ((*back)[0].first, "a.count");
  EXPECT_EQ((*back)[1].first, "b.weight");
  for (const auto& read : *back) {
    const auto original = std::find_if(tensors.begin(), tensors.end(),
                                       [&](const auto& entry) { return entry.first == read.first; });
    EXPECT_TRUE(original->second == read.second) << read.first;
  }
}

TEST(Safetensors, ReadsAFileWrittenToTheSpecification) {
  // {"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const float values[] = {1.5f, -4.0f};
  const std::string data(reinterpret_cast<const char*>(values), sizeof(values));
  const Result<NamedLiterals> read = parse_safetensors(with_length_prefix(header, data), "pt");
  ASSERT_TRUE(read.ok()) << read.error().message();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_TRUE((*read)[0].second == ir::Literal::from_vector<float>({2}, {1.5f, -4.0f}));
}

void expect_error(const std::string& bytes, const std::string& fragment) {
  const Result<NamedLiterals> read = parse_safetensors(bytes, "bad.safetensors");
  ASSERT_FALSE(read.ok()) << "expected an error containing: " << fragment;
  EXPECT_NE(read.error().message().find(fragment), std::string::npos) << read.error().message();
  EXPECT_NE(read.error().message().find("bad.safetensors"), std::string::npos);
}

TEST(Safetensors, DamagedFilesGetErrorsNamingTheTensor) {
  const std::string entry = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  expect_error("abc", "too short");
  expect_error(with_length_prefix(entry, std::string(8, '\0')), "tensor \"w\" (f32[2,3], 24 bytes)");
  expect_error(with_length_prefix(entry, "").substr(0, 20), "header length");
  expect_error(with_length_prefix("[1,2]", ""), "not a JSON object");
  expect_error(with_length_prefix(R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})",
                                  std::string(8, '\0')),
               "dtype \"C64\"");
  expect_error(with_length_prefix(R"({"w":{"dtype":"F32","shape":[1]}})", ""), "data_offsets");
}

TEST(Safetensors, RejectsValuesItCannotStore) {
  NamedLiterals tensors;
  tensors.emplace_back("z", ir::Literal(ir::Shape::array(DType::C64, {1})));
  const Result<std::string> bytes = to_safetensors(tensors);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message().find("\"z\""), std::string::npos);
}

}  // namespace
}  // namespace hlocc::runtime
