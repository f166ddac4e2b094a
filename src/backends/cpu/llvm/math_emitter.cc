// IrEmitter's elementwise math with the semantics of src/ir/ops/scalar_math.h for every dtype:
// integers wrap, division by zero and shifts out of range are defined, max/min propagate NaN,
// f16/bf16 compute in f32 and round after each op. Transcendentals call libm, whose libmvec
// vector variants the loop vectorizer substitutes; complex math calls the C library's complex
// functions (and libgcc's __mulsc3/__divsc3) with the x86-64 ABI, as the evaluator's
// std::complex does, so both agree to the bit.
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include "backends/cpu/llvm/emitter.h"

namespace hlocc::cpu::detail {

using ir::DType;
using ir::EValue;
using ir::ops::CompareDirection;
using ir::ops::CompareType;

namespace {

bool is_pred(const EValue& x) { return x.dtype == DType::Pred; }
bool is_int(const EValue& x) { return ir::is_integer(x.dtype); }
bool is_cplx(const EValue& x) { return ir::is_complex(x.dtype); }

[[noreturn]] void unsupported(const char* op, const EValue& x) {
  HLOCC_CHECK(false) << op << " on " << ir::dtype_name(x.dtype) << " (rejected by the shape rule)";
  __builtin_unreachable();
}

}  // namespace

// ---- Library calls ----

// Declares (once) a pure libm function and calls it: "exp" is expf for f32 (and f16/bf16, which
// compute in f32) and exp for f64. Its libmvec variants are listed on the declaration for the
// vectorizer and kept alive until it runs.
llvm::Value* IrEmitter::libm(const char* name, DType dtype, std::vector<llvm::Value*> args) {
  const bool is_double = dtype == DType::F64;
  const std::string symbol = std::string(name) + (is_double ? "" : "f");
  llvm::Type* type = is_double ? b_.getDoubleTy() : b_.getFloatTy();
  llvm::Function* function = module_.getFunction(symbol);
  if (!function) {
    const auto declare = [&](const std::string& fn_name, llvm::Type* t) {
      auto* fn_type = llvm::FunctionType::get(t, std::vector<llvm::Type*>(args.size(), t), false);
      auto* fn =
          llvm::Function::Create(fn_type, llvm::GlobalValue::ExternalLinkage, fn_name, module_);
      fn->setDoesNotAccessMemory();
      fn->setDoesNotThrow();
      fn->setWillReturn();
      return fn;
    };
    function = declare(symbol, type);
    std::string variants;
    for (const VectorVariant& variant : vector_library_) {
      if (variant.scalar_name != symbol) continue;
      llvm::Function* vector_fn =
          declare(variant.vector_name, llvm::FixedVectorType::get(type, variant.lanes));
      llvm::appendToCompilerUsed(module_, {vector_fn});
      if (!variants.empty()) variants += ",";
      variants += "_ZGV_LLVM_N" + std::to_string(variant.lanes) + std::string(args.size(), 'v') +
                  "_" + symbol + "(" + variant.vector_name + ")";
    }
    if (!variants.empty()) function->addFnAttr("vector-function-abi-variant", variants);
  }
  llvm::CallInst* call = b_.CreateCall(function, args);
  const llvm::Attribute variants = function->getFnAttribute("vector-function-abi-variant");
  if (variants.isValid()) call->addFnAttr(variants);
  return call;
}

// A C99 complex function (or libgcc helper) on the x86-64 ABI: float complex travels as one
// <2 x float>, double complex as two doubles (and returns as {double, double}). `args` are
// complex values, or real scalars passed as they are (libgcc's __mulsc3 takes four floats).
llvm::Value* IrEmitter::complex_libm(const char* name, DType dtype,
                                     std::vector<llvm::Value*> args) {
  const bool is_c64 = dtype == DType::C64;
  llvm::Type* part = is_c64 ? b_.getFloatTy() : b_.getDoubleTy();
  llvm::Type* pair = is_c64 ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(part, 2))
                            : llvm::StructType::get(context_, {part, part});
  std::vector<llvm::Value*> flat;
  for (llvm::Value* arg : args) {
    if (!arg->getType()->isStructTy()) {
      flat.push_back(arg);
      continue;
    }
    llvm::Value* r = b_.CreateExtractValue(arg, 0);
    llvm::Value* i = b_.CreateExtractValue(arg, 1);
    if (is_c64) {
      llvm::Value* packed = b_.CreateInsertElement(llvm::PoisonValue::get(pair), r, uint64_t{0});
      flat.push_back(b_.CreateInsertElement(packed, i, uint64_t{1}));
    } else {
      flat.push_back(r);
      flat.push_back(i);
    }
  }
  const std::string symbol(name);
  const bool real_result = symbol.starts_with("cabs");
  std::vector<llvm::Type*> types;
  for (llvm::Value* arg : flat) types.push_back(arg->getType());
  auto* type = llvm::FunctionType::get(real_result ? part : pair, types, false);
  llvm::FunctionCallee callee = module_.getOrInsertFunction(symbol, type);
  if (auto* fn = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    fn->setDoesNotAccessMemory();
    fn->setDoesNotThrow();
    fn->setWillReturn();
  }
  llvm::Value* result = b_.CreateCall(callee, flat);
  if (real_result) return result;
  llvm::Value* r =
      is_c64 ? b_.CreateExtractElement(result, uint64_t{0}) : b_.CreateExtractValue(result, 0);
  llvm::Value* i =
      is_c64 ? b_.CreateExtractElement(result, uint64_t{1}) : b_.CreateExtractValue(result, 1);
  return v(make_complex(dtype, r, i));
}

llvm::Value* IrEmitter::intrinsic(llvm::Intrinsic::ID id, llvm::Value* x) {
  return b_.CreateUnaryIntrinsic(id, x);
}

llvm::Value* IrEmitter::is_nan(llvm::Value* x) { return b_.CreateFCmpUNO(x, x); }

// ---- Complex plumbing ----

llvm::Value* IrEmitter::re(EValue x) { return b_.CreateExtractValue(v(x), 0); }
llvm::Value* IrEmitter::im(EValue x) { return b_.CreateExtractValue(v(x), 1); }

EValue IrEmitter::make_complex(DType dtype, llvm::Value* real_part, llvm::Value* imag_part) {
  llvm::Value* pair = llvm::PoisonValue::get(value_type(dtype));
  pair = b_.CreateInsertValue(pair, real_part, 0);
  return {b_.CreateInsertValue(pair, imag_part, 1), dtype};
}

EValue IrEmitter::complex_from(DType dtype, llvm::Value* pair) { return {pair, dtype}; }

EValue IrEmitter::complex_mul(EValue a, EValue b) {
  const char* name = a.dtype == DType::C64 ? "__mulsc3" : "__muldc3";
  return complex_from(a.dtype, complex_libm(name, a.dtype, {re(a), im(a), re(b), im(b)}));
}

EValue IrEmitter::complex_div(EValue a, EValue b) {
  const char* name = a.dtype == DType::C64 ? "__divsc3" : "__divdc3";
  return complex_from(a.dtype, complex_libm(name, a.dtype, {re(a), im(a), re(b), im(b)}));
}

// A unary op: libm `name` on reals (then rounded for f16/bf16), the C library's c<name> on
// complex numbers.
EValue IrEmitter::float_unary(const char* name, EValue x) {
  if (is_cplx(x)) {
    const std::string prefix = "c" + std::string(name) + (x.dtype == DType::C64 ? "f" : "");
    return complex_from(x.dtype, complex_libm(prefix.c_str(), x.dtype, {v(x)}));
  }
  if (!ir::is_float(x.dtype)) unsupported(name, x);
  return finish(x.dtype, libm(name, x.dtype, {v(x)}));
}

// ---- Unary ops ----

EValue IrEmitter::abs(EValue x) {
  if (is_int(x))
    return wrap(x.dtype, b_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, v(x), b_.getFalse()));
  if (is_cplx(x)) {
    const std::string name = x.dtype == DType::C64 ? "cabsf" : "cabs";
    return wrap(ir::complex_component_type(x.dtype), complex_libm(name.c_str(), x.dtype, {v(x)}));
  }
  return finish(x.dtype, intrinsic(llvm::Intrinsic::fabs, v(x)));
}

EValue IrEmitter::cbrt(EValue x) {
  if (!is_cplx(x)) return float_unary("cbrt", x);
  // The principal root: cpow(x, 1/3) itself, without power's special cases (as the evaluator).
  const char* name = x.dtype == DType::C64 ? "cpowf" : "cpow";
  return complex_from(x.dtype,
                      complex_libm(name, x.dtype, {v(x), v(constant(x.dtype, 1.0 / 3.0))}));
}

EValue IrEmitter::ceil(EValue x) { return finish(x.dtype, intrinsic(llvm::Intrinsic::ceil, v(x))); }
EValue IrEmitter::floor(EValue x) {
  return finish(x.dtype, intrinsic(llvm::Intrinsic::floor, v(x)));
}
EValue IrEmitter::round_nearest_afz(EValue x) {
  return finish(x.dtype, intrinsic(llvm::Intrinsic::round, v(x)));
}
EValue IrEmitter::round_nearest_even(EValue x) {
  return finish(x.dtype, intrinsic(llvm::Intrinsic::roundeven, v(x)));
}

EValue IrEmitter::count_leading_zeros(EValue x) {
  return wrap(x.dtype, b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, v(x), b_.getFalse()));
}
EValue IrEmitter::popcount(EValue x) {
  return wrap(x.dtype, intrinsic(llvm::Intrinsic::ctpop, v(x)));
}

EValue IrEmitter::cos(EValue x) { return float_unary("cos", x); }
EValue IrEmitter::sin(EValue x) { return float_unary("sin", x); }
EValue IrEmitter::tan(EValue x) { return float_unary("tan", x); }
EValue IrEmitter::tanh(EValue x) { return float_unary("tanh", x); }
EValue IrEmitter::exp(EValue x) { return float_unary("exp", x); }
EValue IrEmitter::log(EValue x) { return float_unary("log", x); }
EValue IrEmitter::expm1(EValue x) {
  return is_cplx(x) ? complex_expm1(x) : float_unary("expm1", x);
}
EValue IrEmitter::log1p(EValue x) {
  return is_cplx(x) ? complex_log1p(x) : float_unary("log1p", x);
}

EValue IrEmitter::sqrt(EValue x) {
  if (is_cplx(x)) return float_unary("sqrt", x);
  return finish(x.dtype, intrinsic(llvm::Intrinsic::sqrt, v(x)));
}

EValue IrEmitter::rsqrt(EValue x) {  // 1 / sqrt(x), exactly as the evaluator (no estimate)
  if (is_cplx(x)) return complex_div(constant(x.dtype, 1), sqrt(x));
  llvm::Value* root = intrinsic(llvm::Intrinsic::sqrt, v(x));
  return finish(x.dtype, b_.CreateFDiv(llvm::ConstantFP::get(root->getType(), 1), root));
}

EValue IrEmitter::logistic(EValue x) {  // 1 / (1 + exp(-x))
  if (is_cplx(x)) {
    const EValue one = constant(x.dtype, 1);  // complex 1 + exp(-x): 0 + im, as std::complex
    return complex_div(one, add(one, exp(negate(x))));
  }
  llvm::Value* e = libm("exp", x.dtype, {b_.CreateFNeg(v(x))});
  llvm::Value* one = llvm::ConstantFP::get(e->getType(), 1);
  return finish(x.dtype, b_.CreateFDiv(one, b_.CreateFAdd(one, e)));
}

EValue IrEmitter::imag(EValue x) {
  if (is_cplx(x)) return wrap(ir::complex_component_type(x.dtype), im(x));
  return constant(x.dtype, 0);
}
EValue IrEmitter::real(EValue x) {
  return is_cplx(x) ? wrap(ir::complex_component_type(x.dtype), re(x)) : x;
}

EValue IrEmitter::is_finite(EValue x) {
  llvm::Value* magnitude = intrinsic(llvm::Intrinsic::fabs, v(x));
  return wrap(DType::Pred,
              b_.CreateFCmpOLT(magnitude, llvm::ConstantFP::getInfinity(magnitude->getType())));
}

EValue IrEmitter::negate(EValue x) {
  if (is_int(x)) return wrap(x.dtype, b_.CreateNeg(v(x)));  // wraps: -INT_MIN = INT_MIN
  if (is_cplx(x)) return make_complex(x.dtype, b_.CreateFNeg(re(x)), b_.CreateFNeg(im(x)));
  return finish(x.dtype, b_.CreateFNeg(v(x)));
}

EValue IrEmitter::logical_not(EValue x) { return wrap(x.dtype, b_.CreateNot(v(x))); }

EValue IrEmitter::sign(EValue x) {
  if (is_int(x)) {
    llvm::Value* zero = llvm::ConstantInt::get(v(x)->getType(), 0);
    llvm::Value* positive = b_.CreateZExt(b_.CreateICmpSGT(v(x), zero), v(x)->getType());
    llvm::Value* negative = b_.CreateZExt(b_.CreateICmpSLT(v(x), zero), v(x)->getType());
    return wrap(x.dtype, b_.CreateSub(positive, negative));
  }
  if (is_cplx(x)) {  // x / |x|, 0 for 0
    const EValue magnitude = abs(x);
    llvm::Value* zero = llvm::ConstantFP::get(v(magnitude)->getType(), 0);
    const EValue unit = make_complex(x.dtype, b_.CreateFDiv(re(x), v(magnitude)),
                                     b_.CreateFDiv(im(x), v(magnitude)));
    return select(wrap(DType::Pred, b_.CreateFCmpOEQ(v(magnitude), zero)), constant(x.dtype, 0),
                  unit);
  }
  return real_sign(x);
}

// Floats keep NaN and the sign of zero: copysign(x != 0, x).
EValue IrEmitter::real_sign(EValue x) {
  llvm::Type* type = v(x)->getType();
  llvm::Value* nonzero =
      b_.CreateUIToFP(b_.CreateFCmpUNE(v(x), llvm::ConstantFP::get(type, 0)), type);
  llvm::Value* signed_one = b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, nonzero, v(x));
  return finish(x.dtype, b_.CreateSelect(is_nan(v(x)), v(x), signed_one));
}

// ---- Binary arithmetic ----

EValue IrEmitter::add(EValue a, EValue b) {
  if (is_pred(a)) return wrap(a.dtype, b_.CreateOr(v(a), v(b)));
  if (is_int(a)) return wrap(a.dtype, b_.CreateAdd(v(a), v(b)));
  if (is_cplx(a)) {
    return make_complex(a.dtype, b_.CreateFAdd(re(a), re(b)), b_.CreateFAdd(im(a), im(b)));
  }
  return finish(a.dtype, b_.CreateFAdd(v(a), v(b)));
}

EValue IrEmitter::subtract(EValue a, EValue b) {
  if (is_int(a)) return wrap(a.dtype, b_.CreateSub(v(a), v(b)));
  if (is_cplx(a)) {
    return make_complex(a.dtype, b_.CreateFSub(re(a), re(b)), b_.CreateFSub(im(a), im(b)));
  }
  if (is_pred(a)) unsupported("subtract", a);
  return finish(a.dtype, b_.CreateFSub(v(a), v(b)));
}

EValue IrEmitter::multiply(EValue a, EValue b) {
  if (is_pred(a)) return wrap(a.dtype, b_.CreateAnd(v(a), v(b)));
  if (is_int(a)) return wrap(a.dtype, b_.CreateMul(v(a), v(b)));
  if (is_cplx(a)) return complex_mul(a, b);
  return finish(a.dtype, b_.CreateFMul(v(a), v(b)));
}

EValue IrEmitter::divide(EValue a, EValue b) {
  if (is_int(a)) return integer_divide(a, b, /*remainder=*/false);
  if (is_cplx(a)) return complex_div(a, b);
  if (is_pred(a)) unsupported("divide", a);
  return finish(a.dtype, b_.CreateFDiv(v(a), v(b)));
}

EValue IrEmitter::remainder(EValue a, EValue b) {
  if (is_int(a)) return integer_divide(a, b, /*remainder=*/true);
  if (!ir::is_float(a.dtype)) unsupported("remainder", a);
  return finish(a.dtype, b_.CreateFRem(v(a), v(b)));  // fmod
}

// x / 0 = -1 (all bits set) and x % 0 = x; INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0, which a
// divisor of 1 gives. The divisor is made safe so no path traps.
EValue IrEmitter::integer_divide(EValue a, EValue b, bool remainder) {
  llvm::Type* type = v(a)->getType();
  const bool is_signed = ir::is_signed_int(a.dtype);
  llvm::Value* zero = b_.CreateICmpEQ(v(b), llvm::ConstantInt::get(type, 0));
  llvm::Value* unsafe = zero;
  if (is_signed) {
    llvm::Value* overflow = b_.CreateAnd(
        b_.CreateICmpEQ(v(a), llvm::ConstantInt::get(type, llvm::APInt::getSignedMinValue(
                                                               type->getIntegerBitWidth()))),
        b_.CreateICmpEQ(v(b), llvm::ConstantInt::getAllOnesValue(type)));
    unsafe = b_.CreateOr(zero, overflow);
  }
  llvm::Value* divisor = b_.CreateSelect(unsafe, llvm::ConstantInt::get(type, 1), v(b));
  llvm::Value* result;
  if (remainder) {
    result = is_signed ? b_.CreateSRem(v(a), divisor) : b_.CreateURem(v(a), divisor);
    return wrap(a.dtype, b_.CreateSelect(zero, v(a), result));
  }
  result = is_signed ? b_.CreateSDiv(v(a), divisor) : b_.CreateUDiv(v(a), divisor);
  return wrap(a.dtype, b_.CreateSelect(zero, llvm::ConstantInt::getAllOnesValue(type), result));
}

EValue IrEmitter::logical_and(EValue a, EValue b) {
  return wrap(a.dtype, b_.CreateAnd(v(a), v(b)));
}
EValue IrEmitter::logical_or(EValue a, EValue b) { return wrap(a.dtype, b_.CreateOr(v(a), v(b))); }
EValue IrEmitter::logical_xor(EValue a, EValue b) {
  return wrap(a.dtype, b_.CreateXor(v(a), v(b)));
}

// Amounts outside [0, bits), negative ones included (compared unsigned), give 0, or the sign
// fill for arithmetic shifts. A shift by such an amount is poison only in the unselected arm.
EValue IrEmitter::shift_left(EValue a, EValue b) {
  llvm::Type* type = v(a)->getType();
  llvm::Value* out =
      b_.CreateICmpUGE(v(b), llvm::ConstantInt::get(type, type->getIntegerBitWidth()));
  return wrap(a.dtype,
              b_.CreateSelect(out, llvm::ConstantInt::get(type, 0), b_.CreateShl(v(a), v(b))));
}

EValue IrEmitter::shift_right_logical(EValue a, EValue b) {
  llvm::Type* type = v(a)->getType();
  llvm::Value* out =
      b_.CreateICmpUGE(v(b), llvm::ConstantInt::get(type, type->getIntegerBitWidth()));
  return wrap(a.dtype,
              b_.CreateSelect(out, llvm::ConstantInt::get(type, 0), b_.CreateLShr(v(a), v(b))));
}

EValue IrEmitter::shift_right_arithmetic(EValue a, EValue b) {
  llvm::Type* type = v(a)->getType();
  const unsigned bits = type->getIntegerBitWidth();
  llvm::Value* out = b_.CreateICmpUGE(v(b), llvm::ConstantInt::get(type, bits));
  llvm::Value* amount = b_.CreateSelect(out, llvm::ConstantInt::get(type, bits - 1), v(b));
  return wrap(a.dtype, b_.CreateAShr(v(a), amount));
}

// ---- max / min ----

// NaN-propagating (the first NaN operand wins); ties return a, so max(-0, +0) = -0.
EValue IrEmitter::pick_max(EValue a, EValue b, bool maximum) {
  if (is_pred(a)) return maximum ? logical_or(a, b) : logical_and(a, b);
  if (is_int(a)) {
    const bool is_signed = ir::is_signed_int(a.dtype);
    const auto id = maximum ? (is_signed ? llvm::Intrinsic::smax : llvm::Intrinsic::umax)
                            : (is_signed ? llvm::Intrinsic::smin : llvm::Intrinsic::umin);
    return wrap(a.dtype, b_.CreateBinaryIntrinsic(id, v(a), v(b)));
  }
  if (is_cplx(a)) unsupported("maximum/minimum", a);
  llvm::Value* take_b = maximum ? b_.CreateFCmpOLT(v(a), v(b)) : b_.CreateFCmpOLT(v(b), v(a));
  llvm::Value* result = b_.CreateSelect(take_b, v(b), v(a));
  result = b_.CreateSelect(is_nan(v(b)), v(b), result);
  return wrap(a.dtype, b_.CreateSelect(is_nan(v(a)), v(a), result));
}

EValue IrEmitter::maximum(EValue a, EValue b) { return pick_max(a, b, true); }
EValue IrEmitter::minimum(EValue a, EValue b) { return pick_max(a, b, false); }

// ---- power, atan2 ----

EValue IrEmitter::power(EValue a, EValue b) {
  if (is_pred(a)) return logical_or(a, logical_not(b));  // a^b: 1 unless a = 0 and b = 1
  if (is_int(a)) return integer_power(a, b);
  if (is_cplx(a)) return complex_power(a, b);
  // 1^y = 1 and x^0 = 1 for every x and y, NaN included.
  llvm::Type* type = v(a)->getType();
  llvm::Value* one = llvm::ConstantFP::get(type, 1);
  llvm::Value* trivial = b_.CreateOr(b_.CreateFCmpOEQ(v(a), one),
                                     b_.CreateFCmpOEQ(v(b), llvm::ConstantFP::get(type, 0)));
  return finish(a.dtype, b_.CreateSelect(trivial, one, libm("pow", a.dtype, {v(a), v(b)})));
}

// Exponentiation by squaring over every bit of the exponent, unrolled (wrapping like repeated
// multiplication); a negative exponent gives 0 unless the base is 1.
EValue IrEmitter::integer_power(EValue a, EValue b) {
  llvm::Type* type = v(a)->getType();
  const auto k = [&](int64_t c) { return llvm::ConstantInt::get(type, static_cast<uint64_t>(c)); };
  llvm::Value* result = k(1);
  llvm::Value* factor = v(a);
  for (unsigned bit = 0; bit < type->getIntegerBitWidth(); ++bit) {
    llvm::Value* set = b_.CreateICmpNE(b_.CreateAnd(b_.CreateLShr(v(b), bit), k(1)), k(0));
    result = b_.CreateSelect(set, b_.CreateMul(result, factor), result);
    factor = b_.CreateMul(factor, factor);
  }
  llvm::Value* trivial = b_.CreateOr(b_.CreateICmpEQ(v(a), k(1)), b_.CreateICmpEQ(v(b), k(0)));
  if (ir::is_signed_int(a.dtype)) {
    result = b_.CreateSelect(b_.CreateICmpSLT(v(b), k(0)), k(0), result);
  }
  return wrap(a.dtype, b_.CreateSelect(trivial, k(1), result));
}

// As hlo_power: a == 1 or b == 0 give 1; a = +inf (real) to a real power is inf or 0; else cpow.
EValue IrEmitter::complex_power(EValue a, EValue b) {
  llvm::Type* part = re(a)->getType();
  const auto k = [&](double c) { return llvm::ConstantFP::get(part, c); };
  llvm::Value* a_is_one =
      b_.CreateAnd(b_.CreateFCmpOEQ(re(a), k(1)), b_.CreateFCmpOEQ(im(a), k(0)));
  llvm::Value* b_is_zero =
      b_.CreateAnd(b_.CreateFCmpOEQ(re(b), k(0)), b_.CreateFCmpOEQ(im(b), k(0)));
  llvm::Value* a_is_inf = b_.CreateAnd(
      b_.CreateFCmpOEQ(im(a), k(0)), b_.CreateFCmpOEQ(re(a), llvm::ConstantFP::getInfinity(part)));
  llvm::Value* b_is_real = b_.CreateFCmpOEQ(im(b), k(0));
  llvm::Value* inf_positive =
      b_.CreateAnd(b_.CreateAnd(a_is_inf, b_is_real), b_.CreateFCmpOGT(re(b), k(0)));
  llvm::Value* inf_negative =
      b_.CreateAnd(b_.CreateAnd(a_is_inf, b_is_real), b_.CreateFCmpOLT(re(b), k(0)));
  const char* name = a.dtype == DType::C64 ? "cpowf" : "cpow";
  EValue result = complex_from(a.dtype, complex_libm(name, a.dtype, {v(a), v(b)}));
  result = select(wrap(DType::Pred, inf_negative), constant(a.dtype, 0), result);
  result = select(wrap(DType::Pred, inf_positive), a, result);
  return select(wrap(DType::Pred, b_.CreateOr(a_is_one, b_is_zero)), constant(a.dtype, 1), result);
}

EValue IrEmitter::atan2(EValue a, EValue b) {
  if (is_cplx(a)) return complex_atan2(a, b);
  return finish(a.dtype, libm("atan2", a.dtype, {v(a), v(b)}));
}

// -i * log((x + i y) / sqrt(x^2 + y^2)), operation by operation as the evaluator.
EValue IrEmitter::complex_atan2(EValue y, EValue x) {
  const DType dtype = y.dtype;
  llvm::Type* part = re(y)->getType();
  const auto c = [&](double r, double i) {
    return make_complex(dtype, llvm::ConstantFP::get(part, r), llvm::ConstantFP::get(part, i));
  };
  const EValue numerator = add(x, complex_mul(c(0, 1), y));
  const EValue root = sqrt(add(complex_mul(x, x), complex_mul(y, y)));
  return complex_mul(c(-0.0, -1), log(complex_div(numerator, root)));
}

// exp(z) - 1 without cancellation near 0: real part expm1(a) cos b - 2 sin^2(b / 2).
EValue IrEmitter::complex_expm1(EValue x) {
  const DType part = ir::complex_component_type(x.dtype);
  const EValue a = real(x);
  const EValue b = imag(x);
  llvm::Value* half_sin = v(sin(wrap(part, b_.CreateFDiv(v(b), v(constant(part, 2))))));
  llvm::Value* twice = b_.CreateFMul(v(constant(part, 2)), half_sin);
  llvm::Value* real_part =
      b_.CreateFSub(b_.CreateFMul(v(expm1(a)), v(cos(b))), b_.CreateFMul(twice, half_sin));
  return make_complex(x.dtype, real_part, b_.CreateFMul(v(exp(a)), v(sin(b))));
}

// log(1 + z) without cancellation near 0: log|1 + z| = log1p(2a + a^2 + b^2) / 2.
EValue IrEmitter::complex_log1p(EValue x) {
  const DType part = ir::complex_component_type(x.dtype);
  llvm::Value* a = re(x);
  llvm::Value* b = im(x);
  llvm::Value* one = v(constant(part, 1));
  llvm::Value* half = v(constant(part, 0.5));
  const EValue big = log(make_complex(x.dtype, b_.CreateFAdd(one, a), b));
  llvm::Value* sum =
      b_.CreateFAdd(b_.CreateFAdd(b_.CreateFMul(v(constant(part, 2)), a), b_.CreateFMul(a, a)),
                    b_.CreateFMul(b, b));
  llvm::Value* real_part = b_.CreateFDiv(v(log1p(wrap(part, sum))), v(constant(part, 2)));
  const EValue small =
      make_complex(x.dtype, real_part, v(atan2(wrap(part, b), wrap(part, b_.CreateFAdd(one, a)))));
  llvm::Value* is_big = b_.CreateOr(b_.CreateFCmpOGE(intrinsic(llvm::Intrinsic::fabs, a), half),
                                    b_.CreateFCmpOGE(intrinsic(llvm::Intrinsic::fabs, b), half));
  return select(wrap(DType::Pred, is_big), big, small);
}

// ---- compare, complex, select ----

// The IEEE total order as a signed integer order: flip the magnitude bits of negatives.
llvm::Value* IrEmitter::total_order_key(llvm::Value* x) {
  llvm::Type* int_type = b_.getIntNTy(x->getType()->getPrimitiveSizeInBits().getFixedValue());
  llvm::Value* bits = b_.CreateBitCast(x, int_type);
  llvm::Value* max = llvm::ConstantInt::get(
      int_type, llvm::APInt::getSignedMaxValue(int_type->getIntegerBitWidth()));
  llvm::Value* negative = b_.CreateICmpSLT(bits, llvm::ConstantInt::get(int_type, 0));
  return b_.CreateSelect(negative, b_.CreateXor(bits, max), bits);
}

EValue IrEmitter::compare(CompareDirection direction, CompareType type, EValue a, EValue b) {
  using P = llvm::CmpInst::Predicate;
  const int d = static_cast<int>(direction);  // Eq, Ne, Lt, Le, Gt, Ge
  if (is_cplx(a)) {
    llvm::Value* equal =
        b_.CreateAnd(b_.CreateFCmpOEQ(re(a), re(b)), b_.CreateFCmpOEQ(im(a), im(b)));
    return wrap(DType::Pred, direction == CompareDirection::Ne ? b_.CreateNot(equal) : equal);
  }
  if (type == CompareType::Float) {
    static constexpr P kFloat[] = {P::FCMP_OEQ, P::FCMP_UNE, P::FCMP_OLT,
                                   P::FCMP_OLE, P::FCMP_OGT, P::FCMP_OGE};
    return wrap(DType::Pred, b_.CreateFCmp(kFloat[d], v(a), v(b)));
  }
  static constexpr P kSigned[] = {P::ICMP_EQ,  P::ICMP_NE,  P::ICMP_SLT,
                                  P::ICMP_SLE, P::ICMP_SGT, P::ICMP_SGE};
  static constexpr P kUnsigned[] = {P::ICMP_EQ,  P::ICMP_NE,  P::ICMP_ULT,
                                    P::ICMP_ULE, P::ICMP_UGT, P::ICMP_UGE};
  if (type == CompareType::TotalOrder) {
    return wrap(DType::Pred,
                b_.CreateICmp(kSigned[d], total_order_key(v(a)), total_order_key(v(b))));
  }
  const P predicate = type == CompareType::Signed ? kSigned[d] : kUnsigned[d];
  return wrap(DType::Pred, b_.CreateICmp(predicate, v(a), v(b)));
}

EValue IrEmitter::complex(EValue real_part, EValue imag_part) {
  return make_complex(real_part.dtype == DType::F64 ? DType::C128 : DType::C64, v(real_part),
                      v(imag_part));
}

EValue IrEmitter::select(EValue condition, EValue on_true, EValue on_false) {
  return wrap(on_true.dtype, b_.CreateSelect(v(condition), v(on_true), v(on_false)));
}

}  // namespace hlocc::cpu::detail
