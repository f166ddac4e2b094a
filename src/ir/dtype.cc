#include "ir/dtype.h"

#include <array>

namespace hlocc::ir {
namespace {

struct DTypeInfo {
  std::string_view name;
  int64_t byte_size;
};

// Indexed by DType; the order must match the enum.
constexpr std::array<DTypeInfo, kDTypeCount> kDTypes = {{
    {"pred", 1}, {"s8", 1}, {"s16", 2}, {"s32", 4}, {"s64", 8}, {"u8", 1}, {"u16", 2}, {"u32", 4},
    {"u64", 8}, {"f16", 2}, {"bf16", 2}, {"f32", 4}, {"f64", 8}, {"c64", 8}, {"c128", 16},
    {"token", 0},
}};

}  // namespace

std::string_view dtype_name(DType dtype) { return kDTypes[static_cast<int>(dtype)].name; }

int64_t dtype_byte_size(DType dtype) { return kDTypes[static_cast<int>(dtype)].byte_size; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (int i = 0; i < kDTypeCount; ++i) {
    if (kDTypes[i].name == name) return static_cast<DType>(i);
  }
  return std::nullopt;
}

}  // namespace hlocc::ir
