// Element types of HLO arrays, their text names, sizes and C++ storage types.
// dispatch_dtype() is the one place that maps a runtime DType to a compile-time C++ type.
#pragma once

#include <complex>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hlocc/dtype.h"
#include "ir/check.h"
#include "ir/half.h"

namespace hlocc::ir {

using ::hlocc::DType;
using ::hlocc::kDTypeCount;

std::string_view dtype_name(DType dtype);               // "f32"
std::optional<DType> dtype_from_name(std::string_view);  // "f32" -> F32
int64_t dtype_byte_size(DType dtype);                    // f32 -> 4, pred -> 1

inline bool is_float(DType t) { return t == DType::F16 || t == DType::BF16 || t == DType::F32 || t == DType::F64; }
inline bool is_complex(DType t) { return t == DType::C64 || t == DType::C128; }
inline bool is_signed_int(DType t) { return t == DType::S8 || t == DType::S16 || t == DType::S32 || t == DType::S64; }
inline bool is_unsigned_int(DType t) { return t == DType::U8 || t == DType::U16 || t == DType::U32 || t == DType::U64; }
inline bool is_integer(DType t) { return is_signed_int(t) || is_unsigned_int(t); }
/// Floating or complex: the types on which inexact math (exp, log, ...) is defined.
inline bool is_inexact(DType t) { return is_float(t) || is_complex(t); }
/// The element type of real(x) / imag(x): c64 -> f32, c128 -> f64, otherwise itself.
inline DType complex_component_type(DType t) {
  return t == DType::C64 ? DType::F32 : t == DType::C128 ? DType::F64 : t;
}

/// C++ storage type of each element type.
template <DType T> struct NativeOf;
template <> struct NativeOf<DType::Pred> { using type = bool; };
template <> struct NativeOf<DType::S8> { using type = int8_t; };
template <> struct NativeOf<DType::S16> { using type = int16_t; };
template <> struct NativeOf<DType::S32> { using type = int32_t; };
template <> struct NativeOf<DType::S64> { using type = int64_t; };
template <> struct NativeOf<DType::U8> { using type = uint8_t; };
template <> struct NativeOf<DType::U16> { using type = uint16_t; };
template <> struct NativeOf<DType::U32> { using type = uint32_t; };
template <> struct NativeOf<DType::U64> { using type = uint64_t; };
template <> struct NativeOf<DType::F16> { using type = Half; };
template <> struct NativeOf<DType::BF16> { using type = BFloat16; };
template <> struct NativeOf<DType::F32> { using type = float; };
template <> struct NativeOf<DType::F64> { using type = double; };
template <> struct NativeOf<DType::C64> { using type = std::complex<float>; };
template <> struct NativeOf<DType::C128> { using type = std::complex<double>; };
template <DType T> using Native = typename NativeOf<T>::type;

/// The DType of a C++ storage type: DTypeOf<float>::value == DType::F32.
template <class T> struct DTypeOf;
#define HLOCC_DTYPE_OF(cpp, dt) \
  template <> struct DTypeOf<cpp> { static constexpr DType value = DType::dt; };
HLOCC_DTYPE_OF(bool, Pred)
HLOCC_DTYPE_OF(int8_t, S8)
HLOCC_DTYPE_OF(int16_t, S16)
HLOCC_DTYPE_OF(int32_t, S32)
HLOCC_DTYPE_OF(int64_t, S64)
HLOCC_DTYPE_OF(uint8_t, U8)
HLOCC_DTYPE_OF(uint16_t, U16)
HLOCC_DTYPE_OF(uint32_t, U32)
HLOCC_DTYPE_OF(uint64_t, U64)
HLOCC_DTYPE_OF(Half, F16)
HLOCC_DTYPE_OF(BFloat16, BF16)
HLOCC_DTYPE_OF(float, F32)
HLOCC_DTYPE_OF(double, F64)
HLOCC_DTYPE_OF(std::complex<float>, C64)
HLOCC_DTYPE_OF(std::complex<double>, C128)
#undef HLOCC_DTYPE_OF

/// A tag carrying a C++ type: `[](auto tag) { using T = typename decltype(tag)::type; }`.
template <class T> struct TypeTag { using type = T; };

/// Calls fn(TypeTag<Native<dtype>>{}) for an array element type. Token has no storage.
template <class Fn>
decltype(auto) dispatch_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::Pred: return fn(TypeTag<bool>{});
    case DType::S8: return fn(TypeTag<int8_t>{});
    case DType::S16: return fn(TypeTag<int16_t>{});
    case DType::S32: return fn(TypeTag<int32_t>{});
    case DType::S64: return fn(TypeTag<int64_t>{});
    case DType::U8: return fn(TypeTag<uint8_t>{});
    case DType::U16: return fn(TypeTag<uint16_t>{});
    case DType::U32: return fn(TypeTag<uint32_t>{});
    case DType::U64: return fn(TypeTag<uint64_t>{});
    case DType::F16: return fn(TypeTag<Half>{});
    case DType::BF16: return fn(TypeTag<BFloat16>{});
    case DType::F32: return fn(TypeTag<float>{});
    case DType::F64: return fn(TypeTag<double>{});
    case DType::C64: return fn(TypeTag<std::complex<float>>{});
    case DType::C128: return fn(TypeTag<std::complex<double>>{});
    case DType::Token: break;
  }
  HLOCC_CHECK(false) << "dispatch_dtype on a type without storage: " << dtype_name(dtype);
  __builtin_unreachable();
}

}  // namespace hlocc::ir
