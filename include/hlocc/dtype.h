/// Element types of hlocc arrays (XLA's primitive types), shared by the public API and the IR.
#pragma once

#include <cstdint>

namespace hlocc {

/// An element type. Text names are XLA's: pred, s8, ..., f32, f64, c64, c128.
enum class DType : uint8_t {
  Pred,
  S8,
  S16,
  S32,
  S64,
  U8,
  U16,
  U32,
  U64,
  F16,
  BF16,
  F32,
  F64,
  C64,
  C128,
  Token,  ///< the opaque token type (only as a shape, never as array data)
};
inline constexpr int kDTypeCount = 16;

}  // namespace hlocc
