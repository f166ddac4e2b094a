// safetensors files <-> named Literals: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the raw little-endian row-major bytes. Byte-compatible with the Python safetensors package
// (tensors are written sorted by name, data in the same order, as it does). Malformed, truncated
// or inconsistent files get an error naming the file and the tensor.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/literal.h"
#include "ir/result.h"

namespace hlocc::runtime {

using NamedLiterals = std::vector<std::pair<std::string, ir::Literal>>;

/// Every tensor of the file, in the order of their data in it.
Result<NamedLiterals> read_safetensors(const std::string& path);
Result<NamedLiterals> parse_safetensors(std::string_view bytes, std::string_view name);

/// Writes arrays (no tuples, tokens or complex types: safetensors has no dtype for them).
Status write_safetensors(const std::string& path, const NamedLiterals& tensors);
Result<std::string> to_safetensors(const NamedLiterals& tensors);

}  // namespace hlocc::runtime
