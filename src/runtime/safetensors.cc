#include "runtime/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace hlocc::runtime {
namespace {

using ir::DType;
using nlohmann::json;

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

constexpr std::pair<DType, std::string_view> kDTypeNames[] = {
    {DType::Pred, "BOOL"}, {DType::S8, "I8"},    {DType::S16, "I16"},  {DType::S32, "I32"},
    {DType::S64, "I64"},   {DType::U8, "U8"},    {DType::U16, "U16"},  {DType::U32, "U32"},
    {DType::U64, "U64"},   {DType::F16, "F16"},  {DType::BF16, "BF16"}, {DType::F32, "F32"},
    {DType::F64, "F64"},
};

Error file_error(std::string_view file, const std::string& what) {
  return Error(std::string(file) + ": " + what);
}

Result<DType> dtype_from_text(std::string_view file, const std::string& tensor,
                              const std::string& text) {
  for (const auto& [dtype, name] : kDTypeNames) {
    if (name == text) return dtype;
  }
  return file_error(file, "tensor \"" + tensor + "\" has dtype \"" + text +
                              "\", which hlocc cannot hold; known: BOOL I8 I16 I32 I64 U8 U16 U32 "
                              "U64 F16 BF16 F32 F64");
}

// One header entry as a Literal whose bytes come from `data` (the bytes after the header).
Result<ir::Literal> read_entry(std::string_view file, const std::string& tensor, const json& entry,
                               std::string_view data) {
  const bool well_formed = entry.is_object() && entry.contains("dtype") &&
                           entry["dtype"].is_string() && entry.contains("shape") &&
                           entry["shape"].is_array() && entry.contains("data_offsets") &&
                           entry["data_offsets"].is_array() && entry["data_offsets"].size() == 2;
  if (!well_formed) {
    return file_error(file, "tensor \"" + tensor +
                                "\" needs \"dtype\", \"shape\" and two \"data_offsets\"; got " +
                                entry.dump());
  }
  HLOCC_TRY(const DType dtype, dtype_from_text(file, tensor, entry["dtype"].get<std::string>()));
  std::vector<int64_t> dims;
  for (const json& dim : entry["shape"]) {
    if (!dim.is_number_unsigned() || dim.get<uint64_t>() > (uint64_t{1} << 40)) {
      return file_error(file, "tensor \"" + tensor + "\" has a bad shape " + entry["shape"].dump());
    }
    dims.push_back(dim.get<int64_t>());
  }
  const json& offsets = entry["data_offsets"];
  if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
    return file_error(file, "tensor \"" + tensor + "\" has bad data_offsets " + offsets.dump());
  }
  const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
  ir::Literal literal(ir::Shape::array(dtype, dims));
  const auto expected = static_cast<uint64_t>(literal.raw_size());
  if (begin > end || end > data.size() || end - begin != expected) {
    return file_error(file, "tensor \"" + tensor + "\" (" + literal.shape().to_string(false) +
                                ", " + std::to_string(expected) + " bytes) has data_offsets [" +
                                std::to_string(begin) + ", " + std::to_string(end) +
                                "] but the data section holds " + std::to_string(data.size()) +
                                " bytes; the file is truncated or corrupt");
  }
  if (expected > 0) std::memcpy(literal.raw(), data.data() + begin, expected);
  return literal;
}

}  // namespace

Result<NamedLiterals> parse_safetensors(std::string_view bytes, std::string_view name) {
  if (bytes.size() < 8) return file_error(name, "too short for a safetensors file (no header)");
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  if (header_size > bytes.size() - 8) {
    return file_error(name, "header length " + std::to_string(header_size) + " exceeds the " +
                                std::to_string(bytes.size() - 8) +
                                " bytes after it; the file is truncated or not safetensors");
  }
  const json header = json::parse(bytes.substr(8, header_size), nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return file_error(name, "the header is not a JSON object");
  const std::string_view data = bytes.substr(8 + header_size);
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [tensor, entry] : header.items()) {
    if (tensor == "__metadata__") continue;
    const bool has_offset = entry.is_object() && entry.contains("data_offsets") &&
                            entry["data_offsets"].is_array() && !entry["data_offsets"].empty() &&
                            entry["data_offsets"][0].is_number_unsigned();
    order.emplace_back(has_offset ? entry["data_offsets"][0].get<uint64_t>() : 0, tensor);
  }
  std::sort(order.begin(), order.end());
  NamedLiterals tensors;
  for (const auto& [offset, tensor] : order) {
    HLOCC_TRY(ir::Literal literal, read_entry(name, tensor, header[tensor], data));
    tensors.emplace_back(tensor, std::move(literal));
  }
  return tensors;
}

Result<NamedLiterals> read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(path, "cannot open for reading");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_safetensors(bytes, path);
}

Result<std::string> to_safetensors(const NamedLiterals& tensors) {
  std::vector<const std::pair<std::string, ir::Literal>*> sorted;
  for (const auto& tensor : tensors) sorted.push_back(&tensor);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  json header = json::object();
  std::string data;
  for (const auto* tensor : sorted) {
    const ir::Shape& shape = tensor->second.shape();
    const auto found = std::find_if(std::begin(kDTypeNames), std::end(kDTypeNames),
                                    [&](const auto& entry) { return entry.first == shape.dtype(); });
    if (!shape.is_array() || found == std::end(kDTypeNames)) {
      return Error("safetensors: tensor \"" + tensor->first + "\" is " + shape.to_string(false) +
                   ", which safetensors cannot store (arrays of bool, integers or floats only)");
    }
    const uint64_t begin = data.size();
    data.append(reinterpret_cast<const char*>(tensor->second.raw()),
                static_cast<size_t>(tensor->second.raw_size()));
    header[tensor->first] = {{"dtype", std::string(found->second)},
                             {"shape", shape.dims()},
                             {"data_offsets", {begin, static_cast<uint64_t>(data.size())}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the Python writer pads the header to 8 bytes
  std::string bytes(8, '\0');
  const uint64_t size = text.size();
  std::memcpy(bytes.data(), &size, 8);
  return bytes + text + data;
}

Status write_safetensors(const std::string& path, const NamedLiterals& tensors) {
  HLOCC_TRY(const std::string bytes, to_safetensors(tensors));
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return file_error(path, "cannot write");
  return ok_status();
}

}  // namespace hlocc::runtime
