// IrEmitter's types, memory forms, constants and conversions: register and memory types of each
// dtype, f16/bf16 rounding with integer bit operations (exactly ir/half.h's algorithms, so no
// libcalls and the loops vectorise), and XLA's convert, bitcast-convert and reduce-precision.
#include <bit>

#include "backends/cpu/llvm/emitter.h"
#include "ir/literal.h"
#include "ir/ops/scalar_math.h"

namespace hlocc::cpu::detail {

using ir::DType;
using ir::EValue;

llvm::Type* IrEmitter::value_type(DType dtype) {
  switch (dtype) {
    case DType::Pred:
      return b_.getInt1Ty();
    case DType::S8:
    case DType::U8:
      return b_.getInt8Ty();
    case DType::S16:
    case DType::U16:
      return b_.getInt16Ty();
    case DType::S32:
    case DType::U32:
      return b_.getInt32Ty();
    case DType::S64:
    case DType::U64:
      return b_.getInt64Ty();
    case DType::F16:
    case DType::BF16:
    case DType::F32:
      return b_.getFloatTy();
    case DType::F64:
      return b_.getDoubleTy();
    case DType::C64:
      return llvm::StructType::get(context_, {b_.getFloatTy(), b_.getFloatTy()});
    case DType::C128:
      return llvm::StructType::get(context_, {b_.getDoubleTy(), b_.getDoubleTy()});
    case DType::Token:
      break;
  }
  HLOCC_CHECK(false) << "no register type for " << ir::dtype_name(dtype);
  return nullptr;
}

llvm::Type* IrEmitter::memory_type(DType dtype) {
  if (dtype == DType::Pred) return b_.getInt8Ty();
  if (dtype == DType::F16 || dtype == DType::BF16) return b_.getInt16Ty();
  return value_type(dtype);
}

EValue IrEmitter::load(DType dtype, llvm::Value* pointer, int buffer) {
  llvm::Type* type = memory_type(dtype);
  llvm::LoadInst* loaded = b_.CreateAlignedLoad(
      type, pointer, llvm::Align(ir::dtype_byte_size(ir::complex_component_type(dtype))));
  tag_alias(loaded, buffer);
  if (dtype == DType::Pred) return {b_.CreateICmpNE(loaded, b_.getInt8(0)), dtype};
  if (dtype == DType::F16 || dtype == DType::BF16) return {half_value(loaded, dtype), dtype};
  return {loaded, dtype};
}

void IrEmitter::store(EValue value, llvm::Value* pointer, int buffer) {
  llvm::Value* stored = v(value);
  if (value.dtype == DType::Pred) stored = b_.CreateZExt(stored, b_.getInt8Ty());
  if (value.dtype == DType::F16 || value.dtype == DType::BF16) {
    stored = half_bits(stored, value.dtype, /*quiet_nan=*/false);  // exact: already rounded
  }
  llvm::StoreInst* store = b_.CreateAlignedStore(
      stored, pointer, llvm::Align(ir::dtype_byte_size(ir::complex_component_type(value.dtype))));
  tag_alias(store, buffer);
}

// ---- f16 and bf16 ----

// f32 -> 16 bits, as Half::from_float / BFloat16::from_float. With quiet_nan false, a NaN keeps
// its payload bits exactly (stores of values that are already f16/bf16 images).
llvm::Value* IrEmitter::half_bits(llvm::Value* value, DType dtype, bool quiet_nan) {
  llvm::Type* i32 = b_.getInt32Ty();
  const auto k = [&](uint32_t c) { return llvm::ConstantInt::get(i32, c); };
  llvm::Value* f = b_.CreateBitCast(value, i32);
  if (dtype == DType::BF16) {
    llvm::Value* is_nan = b_.CreateICmpUGT(b_.CreateAnd(f, k(0x7fffffffu)), k(0x7f800000u));
    llvm::Value* nan = b_.CreateLShr(f, 16);
    if (quiet_nan) nan = b_.CreateOr(nan, k(0x40u));
    llvm::Value* lsb = b_.CreateAnd(b_.CreateLShr(f, 16), k(1));
    llvm::Value* rounded = b_.CreateLShr(b_.CreateAdd(b_.CreateAdd(f, k(0x7fffu)), lsb), 16);
    return b_.CreateTrunc(b_.CreateSelect(is_nan, nan, rounded), b_.getInt16Ty());
  }
  llvm::Value* sign = b_.CreateAnd(b_.CreateLShr(f, 16), k(0x8000u));
  llvm::Value* abs = b_.CreateAnd(f, k(0x7fffffffu));
  llvm::Value* payload = b_.CreateAnd(b_.CreateLShr(abs, 13), k(0x3ffu));
  if (quiet_nan) payload = b_.CreateOr(payload, k(0x200u));
  llvm::Value* nan = b_.CreateOr(k(0x7c00u), payload);
  llvm::Value* inf_or_nan = b_.CreateSelect(b_.CreateICmpUGT(abs, k(0x7f800000u)), nan, k(0x7c00u));
  // Subnormal results: scale by 2^24 (exact) and round to nearest even.
  llvm::Value* scaled = b_.CreateFMul(b_.CreateBitCast(abs, b_.getFloatTy()),
                                      llvm::ConstantFP::get(b_.getFloatTy(), 16777216.0));
  llvm::Value* subnormal =
      b_.CreateFPToUI(b_.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, scaled), i32);
  llvm::Value* odd = b_.CreateAnd(b_.CreateLShr(abs, 13), k(1));
  llvm::Value* normal = b_.CreateLShr(
      b_.CreateSub(b_.CreateAdd(b_.CreateAdd(abs, k(0xfffu)), odd), k(0x38000000u)), 13);
  llvm::Value* magnitude = b_.CreateSelect(
      b_.CreateICmpUGE(abs, k(0x7f800000u)), inf_or_nan,
      b_.CreateSelect(b_.CreateICmpUGE(abs, k(0x477ff000u)), k(0x7c00u),
                      b_.CreateSelect(b_.CreateICmpULT(abs, k(0x38800000u)), subnormal, normal)));
  return b_.CreateTrunc(b_.CreateOr(sign, magnitude), b_.getInt16Ty());
}

// 16 bits -> f32 (exact), as Half's and BFloat16's conversions to float.
llvm::Value* IrEmitter::half_value(llvm::Value* bits, DType dtype) {
  llvm::Type* i32 = b_.getInt32Ty();
  const auto k = [&](uint32_t c) { return llvm::ConstantInt::get(i32, c); };
  llvm::Value* h = b_.CreateZExt(bits, i32);
  if (dtype == DType::BF16) return b_.CreateBitCast(b_.CreateShl(h, 16), b_.getFloatTy());
  llvm::Value* sign = b_.CreateShl(b_.CreateAnd(h, k(0x8000u)), 16);
  llvm::Value* exponent = b_.CreateAnd(b_.CreateLShr(h, 10), k(0x1fu));
  llvm::Value* mantissa = b_.CreateAnd(h, k(0x3ffu));
  llvm::Value* shifted = b_.CreateShl(mantissa, 13);
  llvm::Value* special = b_.CreateOr(b_.CreateOr(sign, k(0x7f800000u)), shifted);
  llvm::Value* normal =
      b_.CreateOr(b_.CreateOr(sign, b_.CreateShl(b_.CreateAdd(exponent, k(112)), 23)), shifted);
  llvm::Value* subnormal_magnitude =
      b_.CreateFMul(b_.CreateUIToFP(mantissa, b_.getFloatTy()),
                    llvm::ConstantFP::get(b_.getFloatTy(), 1.0 / 16777216.0));
  llvm::Value* subnormal = b_.CreateOr(sign, b_.CreateBitCast(subnormal_magnitude, i32));
  llvm::Value* result =
      b_.CreateSelect(b_.CreateICmpEQ(exponent, k(0)), subnormal,
                      b_.CreateSelect(b_.CreateICmpEQ(exponent, k(0x1fu)), special, normal));
  return b_.CreateBitCast(result, b_.getFloatTy());
}

EValue IrEmitter::finish(DType dtype, llvm::Value* value) {
  if (dtype != DType::F16 && dtype != DType::BF16) return {value, dtype};
  return {half_value(half_bits(value, dtype, /*quiet_nan=*/true), dtype), dtype};
}

// ---- Constants ----

EValue IrEmitter::constant(DType dtype, double value) {
  if (ir::is_complex(dtype)) {
    const DType part = ir::complex_component_type(dtype);
    return make_complex(dtype, v(constant(part, value)), v(constant(part, 0)));
  }
  if (ir::is_float(dtype)) {
    double rounded = value;
    if (dtype == DType::F16) rounded = static_cast<float>(Half(value));
    if (dtype == DType::BF16) rounded = static_cast<float>(BFloat16(value));
    return {llvm::ConstantFP::get(value_type(dtype), rounded), dtype};
  }
  if (dtype == DType::Pred) return {b_.getInt1(value != 0), dtype};
  return int_constant(dtype, static_cast<int64_t>(value));
}

EValue IrEmitter::int_constant(DType dtype, int64_t value) {
  if (!ir::is_integer(dtype) && dtype != DType::Pred) {
    return constant(dtype, static_cast<double>(value));
  }
  if (dtype == DType::Pred) return {b_.getInt1(value != 0), dtype};
  return {llvm::ConstantInt::get(value_type(dtype), static_cast<uint64_t>(value)), dtype};
}

llvm::Constant* IrEmitter::literal_constant(const ir::Literal& literal, int64_t linear) {
  const DType dtype = literal.shape().dtype();
  const size_t i = static_cast<size_t>(linear);
  return ir::dispatch_dtype(dtype, [&](auto tag) -> llvm::Constant* {
    using T = typename decltype(tag)::type;
    const T value = literal.data<T>()[i];
    llvm::Type* type = value_type(dtype);
    if constexpr (std::is_same_v<T, bool>) {
      return b_.getInt1(value);
    } else if constexpr (ir::ops::is_complex_v<T>) {
      auto* part = llvm::cast<llvm::StructType>(type)->getElementType(0);
      return llvm::ConstantStruct::get(
          llvm::cast<llvm::StructType>(type),
          {llvm::ConstantFP::get(part, value.real()), llvm::ConstantFP::get(part, value.imag())});
    } else if constexpr (ir::ops::is_real_float_v<T>) {
      return llvm::ConstantFP::get(type, static_cast<double>(static_cast<float>(value)));
    } else {
      return llvm::ConstantInt::get(type, static_cast<uint64_t>(value), std::is_signed_v<T>);
    }
  });
}

// ---- Conversions ----

// XLA's float -> integer: truncation toward zero, saturating, NaN -> 0 (LLVM's fpto*i.sat).
llvm::Value* IrEmitter::float_to_int(llvm::Value* value, DType to) {
  const auto id = ir::is_signed_int(to) ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
  return b_.CreateIntrinsic(id, {value_type(to), value->getType()}, {value});
}

// Conversions between real (non-complex) dtypes, pred excluded.
EValue IrEmitter::convert_real(EValue x, DType to) {
  const DType from = x.dtype;
  llvm::Value* value = v(x);
  if (ir::is_integer(from) && ir::is_integer(to)) {
    return {b_.CreateIntCast(value, value_type(to), ir::is_signed_int(from)), to};
  }
  if (ir::is_float(from) && ir::is_integer(to)) return {float_to_int(value, to), to};
  if (ir::is_integer(from)) {  // -> float; f16/bf16 through f32, as the evaluator does
    llvm::Type* type = to == DType::F64 ? b_.getDoubleTy() : b_.getFloatTy();
    value = ir::is_signed_int(from) ? b_.CreateSIToFP(value, type) : b_.CreateUIToFP(value, type);
    return finish(to, value);
  }
  // float -> float: f16/bf16 registers are f32 already.
  llvm::Type* type = value_type(to);
  if (value->getType() != type) value = b_.CreateFPCast(value, type);
  return finish(to, value);
}

EValue IrEmitter::convert(EValue x, DType to) {
  const DType from = x.dtype;
  if (from == to) return x;
  if (to == DType::Pred) {
    if (ir::is_complex(from)) {
      return {b_.CreateOr(b_.CreateFCmpUNE(re(x), llvm::ConstantFP::get(re(x)->getType(), 0)),
                          b_.CreateFCmpUNE(im(x), llvm::ConstantFP::get(im(x)->getType(), 0))),
              to};
    }
    if (ir::is_float(from)) {
      return {b_.CreateFCmpUNE(v(x), llvm::ConstantFP::get(v(x)->getType(), 0)), to};
    }
    return {b_.CreateICmpNE(v(x), llvm::ConstantInt::get(v(x)->getType(), 0)), to};
  }
  if (ir::is_complex(from)) {
    const DType part = ir::complex_component_type(from);
    if (!ir::is_complex(to)) return convert({re(x), part}, to);
    const DType to_part = ir::complex_component_type(to);
    return make_complex(to, v(convert({re(x), part}, to_part)), v(convert({im(x), part}, to_part)));
  }
  if (from == DType::Pred) return convert({b_.CreateZExt(v(x), b_.getInt8Ty()), DType::U8}, to);
  if (ir::is_complex(to)) {
    const DType part = ir::complex_component_type(to);
    return make_complex(to, v(convert(x, part)), v(constant(part, 0)));
  }
  return convert_real(x, to);
}

// Same-width reinterpretation. f16/bf16 registers hold f32 images: go through their exact bits.
EValue IrEmitter::bitcast_convert(EValue x, DType to) {
  const DType from = x.dtype;
  if (from == to) return x;
  HLOCC_CHECK(ir::dtype_byte_size(from) == ir::dtype_byte_size(to) && !ir::is_complex(from))
      << "bitcast_convert: " << ir::dtype_name(from) << " to " << ir::dtype_name(to);
  const bool half_from = from == DType::F16 || from == DType::BF16;
  const bool half_to = to == DType::F16 || to == DType::BF16;
  llvm::Value* bits = half_from
                          ? half_bits(v(x), from, /*quiet_nan=*/false)
                          : b_.CreateBitCast(v(x), b_.getIntNTy(8 * ir::dtype_byte_size(from)));
  if (half_to) return {half_value(bits, to), to};
  return {b_.CreateBitCast(bits, value_type(to)), to};
}

// XLA's reduce-precision (src/ir/ops/convert.cc): round the mantissa to nearest even, then
// flush exponents outside the narrower range to signed infinity or zero; NaN stays NaN (+inf
// with no mantissa bits). f16/bf16 reduce in f32 and round back.
EValue IrEmitter::reduce_precision(EValue x, int64_t exponent_bits, int64_t mantissa_bits) {
  llvm::Value* value = v(x);
  const bool is_double = value->getType()->isDoubleTy();
  const int width = is_double ? 64 : 32;
  const int64_t source_mantissa = is_double ? 52 : 23;
  const int64_t source_exponent = width - source_mantissa - 1;
  llvm::Type* int_type = b_.getIntNTy(width);
  const auto k = [&](uint64_t c) { return llvm::ConstantInt::get(int_type, c); };
  llvm::Value* bits = b_.CreateBitCast(value, int_type);
  if (mantissa_bits < source_mantissa) {
    const int64_t dropped = source_mantissa - mantissa_bits;
    const uint64_t last_kept = uint64_t{1} << dropped;
    llvm::Value* bias = b_.CreateAdd(k((last_kept >> 1) - 1),
                                     b_.CreateLShr(b_.CreateAnd(bits, k(last_kept)), dropped));
    bits = b_.CreateAnd(b_.CreateAdd(bits, bias), k(~(last_kept - 1)));
  }
  if (exponent_bits < source_exponent) {
    const uint64_t sign_mask = uint64_t{1} << (width - 1);
    const uint64_t exponent_mask = ((uint64_t{1} << source_exponent) - 1) << source_mantissa;
    const uint64_t bias = (uint64_t{1} << (source_exponent - 1)) - 1;
    const uint64_t reduced_bias = (uint64_t{1} << (exponent_bits - 1)) - 1;
    llvm::Value* exponent = b_.CreateAnd(bits, k(exponent_mask));
    llvm::Value* signed_zero = b_.CreateAnd(bits, k(sign_mask));
    llvm::Value* overflow = b_.CreateICmpUGT(exponent, k((bias + reduced_bias) << source_mantissa));
    llvm::Value* underflow =
        b_.CreateICmpULE(exponent, k((bias - reduced_bias) << source_mantissa));
    bits = b_.CreateSelect(overflow, b_.CreateOr(signed_zero, k(exponent_mask)),
                           b_.CreateSelect(underflow, signed_zero, bits));
  }
  llvm::Value* reduced = b_.CreateBitCast(bits, value->getType());
  llvm::Value* nan = mantissa_bits > 0 ? value : llvm::ConstantFP::getInfinity(value->getType());
  return finish(x.dtype, b_.CreateSelect(is_nan(value), nan, reduced));
}

}  // namespace hlocc::cpu::detail
