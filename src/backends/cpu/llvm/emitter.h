// The LLVM implementation of ir::ElementalBuilder (internal to src/backends/cpu/llvm/): emits the
// element of an instruction at an index by running its elemental rule, recursively for operands,
// caching each (instruction, index) so shared subexpressions are emitted once. Values live in
// registers as: pred i1, integers iN, f16/bf16 f32 holding an exactly representable value (every
// op rounds its f32 result back, as XLA does), f32/f64, complex {re, im} structs. In memory pred
// is a byte, f16/bf16 their 16 bits.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "ir/elemental.h"

namespace hlocc::cpu::detail {

/// A vector variant of a libm function in glibc's libmvec (for the loop vectorizer).
struct VectorVariant {
  std::string scalar_name;  // "expf"
  std::string vector_name;  // "_ZGVeN16v_expf"
  int lanes = 1;
};
/// The variants that resolve in this process and suit the host CPU.
using VectorLibrary = std::vector<VectorVariant>;

/// Row structure of an emitted loop kernel (see LoopKernel in jit.h).
struct LoopShape {
  int64_t rows = 1;
  int64_t row_elements = 1;
};

class IrEmitter final : public ir::ElementalBuilder {
 public:
  IrEmitter(llvm::Module& module, const VectorLibrary& vector_library);

  // ---- Kernels (loop_emitter.cc) ----
  /// void name(const void* const* inputs, void* const* outputs, i64 row_begin, i64 row_end).
  Result<LoopShape> emit_loop_kernel(const ir::Computation& computation, const std::string& name,
                                     int64_t flat_row_elements);
  /// void name(const void* const* args, void* const* results).
  Status emit_scalar_function(const ir::Computation& computation, const std::string& name);

  // ---- ElementalBuilder: structure (loop_emitter.cc) ----
  const ir::Instruction& instruction() const override;
  ir::EValue operand(int64_t i, const ir::EIndex& index, int64_t tuple_index = -1) override;
  ir::EValue literal_element(const ir::Literal& literal, const ir::EIndex& index) override;
  std::vector<ir::EValue> loop(const std::vector<int64_t>& bounds, std::vector<ir::EValue> carried,
                               const LoopBody& body) override;
  std::vector<ir::EValue> if_else(ir::EValue condition, const Branch& then_branch,
                                  const Branch& else_branch) override;
  std::vector<ir::EValue> call(const ir::Computation& computation,
                               std::span<const ir::EValue> args) override;

  // ---- Constants and conversions (convert_emitter.cc) ----
  ir::EValue constant(ir::DType dtype, double value) override;
  ir::EValue int_constant(ir::DType dtype, int64_t value) override;
  ir::EValue convert(ir::EValue x, ir::DType to) override;
  ir::EValue bitcast_convert(ir::EValue x, ir::DType to) override;
  ir::EValue reduce_precision(ir::EValue x, int64_t exponent_bits, int64_t mantissa_bits) override;

  // ---- Elementwise math (math_emitter.cc) ----
  ir::EValue abs(ir::EValue x) override;
  ir::EValue cbrt(ir::EValue x) override;
  ir::EValue ceil(ir::EValue x) override;
  ir::EValue count_leading_zeros(ir::EValue x) override;
  ir::EValue cos(ir::EValue x) override;
  ir::EValue exp(ir::EValue x) override;
  ir::EValue expm1(ir::EValue x) override;
  ir::EValue floor(ir::EValue x) override;
  ir::EValue imag(ir::EValue x) override;
  ir::EValue is_finite(ir::EValue x) override;
  ir::EValue log(ir::EValue x) override;
  ir::EValue log1p(ir::EValue x) override;
  ir::EValue logistic(ir::EValue x) override;
  ir::EValue negate(ir::EValue x) override;
  ir::EValue logical_not(ir::EValue x) override;
  ir::EValue popcount(ir::EValue x) override;
  ir::EValue real(ir::EValue x) override;
  ir::EValue round_nearest_afz(ir::EValue x) override;
  ir::EValue round_nearest_even(ir::EValue x) override;
  ir::EValue rsqrt(ir::EValue x) override;
  ir::EValue sign(ir::EValue x) override;
  ir::EValue sin(ir::EValue x) override;
  ir::EValue sqrt(ir::EValue x) override;
  ir::EValue tan(ir::EValue x) override;
  ir::EValue tanh(ir::EValue x) override;

  ir::EValue add(ir::EValue a, ir::EValue b) override;
  ir::EValue logical_and(ir::EValue a, ir::EValue b) override;
  ir::EValue atan2(ir::EValue a, ir::EValue b) override;
  ir::EValue compare(ir::ops::CompareDirection direction, ir::ops::CompareType type, ir::EValue a,
                     ir::EValue b) override;
  ir::EValue complex(ir::EValue real, ir::EValue imag) override;
  ir::EValue divide(ir::EValue a, ir::EValue b) override;
  ir::EValue maximum(ir::EValue a, ir::EValue b) override;
  ir::EValue minimum(ir::EValue a, ir::EValue b) override;
  ir::EValue multiply(ir::EValue a, ir::EValue b) override;
  ir::EValue logical_or(ir::EValue a, ir::EValue b) override;
  ir::EValue power(ir::EValue a, ir::EValue b) override;
  ir::EValue remainder(ir::EValue a, ir::EValue b) override;
  ir::EValue shift_left(ir::EValue a, ir::EValue b) override;
  ir::EValue shift_right_arithmetic(ir::EValue a, ir::EValue b) override;
  ir::EValue shift_right_logical(ir::EValue a, ir::EValue b) override;
  ir::EValue subtract(ir::EValue a, ir::EValue b) override;
  ir::EValue logical_xor(ir::EValue a, ir::EValue b) override;
  ir::EValue select(ir::EValue condition, ir::EValue on_true, ir::EValue on_false) override;

 private:
  // ---- Generation and caching (loop_emitter.cc) ----
  struct Frame {
    const ir::Computation* computation = nullptr;
    std::vector<llvm::Value*> parameter_pointers;  // kernels: parameters live in memory
    std::vector<ir::EValue> parameter_values;      // call(): parameters bound to values
  };
  using CacheKey = std::pair<const ir::Instruction*, std::vector<llvm::Value*>>;
  struct CacheScope {
    bool barrier = false;  // a call(): lookups do not see the caller's values
    std::map<CacheKey, std::vector<ir::EValue>> values;
  };
  std::vector<ir::EValue> generate(const ir::Instruction& inst, const ir::EIndex& index);
  std::vector<ir::EValue> generate_uncached(const ir::Instruction& inst, const ir::EIndex& index);
  std::vector<ir::EValue> root_values(const ir::Computation& computation, const ir::EIndex& index);
  const std::vector<ir::EValue>* lookup(const CacheKey& key) const;
  ir::EValue parameter_element(const ir::Instruction& inst, const ir::EIndex& index);
  llvm::Value* element_offset(const std::vector<int64_t>& dims, const ir::EIndex& index);
  llvm::GlobalVariable* literal_global(const ir::Literal& literal);
  /// Runs fn(i, carried) for i in [begin, end) and returns the carried values at the end.
  using CountedBody =
      std::function<std::vector<ir::EValue>(llvm::Value* i, const std::vector<ir::EValue>&)>;
  std::vector<ir::EValue> counted_loop(llvm::Value* begin, llvm::Value* end,
                                       std::vector<ir::EValue> carried, const CountedBody& body,
                                       bool vectorize = false);
  std::vector<ir::EValue> loop_dims(const std::vector<int64_t>& bounds, ir::EIndex& index,
                                    std::vector<ir::EValue> carried, const LoopBody& body);
  void emit_rows(const ir::Computation& computation, const LoopShape& shape, llvm::Value* row,
                 const std::vector<llvm::Value*>& outputs);
  void emit_row_reduction(const ir::Instruction& reduce, const ir::EIndex& outer,
                          llvm::Value* row_start, llvm::Value* length,
                          std::span<llvm::Value* const> outputs);
  llvm::Function* begin_function(const std::string& name, int arguments);
  void set_failure(Error error);
  void tag_alias(llvm::Instruction* access, int buffer);

  // ---- Types, memory and f16/bf16 (convert_emitter.cc) ----
 public:
  llvm::Type* value_type(ir::DType dtype);
  llvm::Type* memory_type(ir::DType dtype);
  /// Loads or stores an element in its memory form; `buffer` >= 0 tags the access with that
  /// kernel buffer's no-alias scope.
  ir::EValue load(ir::DType dtype, llvm::Value* pointer, int buffer = -1);
  void store(ir::EValue value, llvm::Value* pointer, int buffer = -1);
  /// The register value of element `linear` of a literal, as an LLVM constant.
  llvm::Constant* literal_constant(const ir::Literal& literal, int64_t linear);

 private:
  /// An f32 result of f16/bf16 math rounded to that type (NaN quieted, as the evaluator's
  /// conversions do); other dtypes pass through.
  ir::EValue finish(ir::DType dtype, llvm::Value* value);
  llvm::Value* half_bits(llvm::Value* value, ir::DType dtype, bool quiet_nan);
  llvm::Value* half_value(llvm::Value* bits, ir::DType dtype);
  llvm::Value* float_to_int(llvm::Value* value, ir::DType to);
  ir::EValue convert_real(ir::EValue x, ir::DType to);

  // ---- Math helpers (math_emitter.cc) ----
  llvm::Value* libm(const char* name, ir::DType dtype, std::vector<llvm::Value*> args);
  llvm::Value* complex_libm(const char* name, ir::DType dtype, std::vector<llvm::Value*> args);
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::Value* x);
  llvm::Value* is_nan(llvm::Value* x);
  llvm::Value* re(ir::EValue x);
  llvm::Value* im(ir::EValue x);
  ir::EValue make_complex(ir::DType dtype, llvm::Value* re, llvm::Value* im);
  ir::EValue complex_from(ir::DType dtype, llvm::Value* pair);
  ir::EValue complex_div(ir::EValue a, ir::EValue b);
  ir::EValue complex_mul(ir::EValue a, ir::EValue b);
  ir::EValue float_unary(const char* libm_name, ir::EValue x);
  ir::EValue integer_divide(ir::EValue a, ir::EValue b, bool remainder);
  ir::EValue integer_power(ir::EValue a, ir::EValue b);
  ir::EValue complex_power(ir::EValue a, ir::EValue b);
  ir::EValue complex_expm1(ir::EValue x);
  ir::EValue complex_log1p(ir::EValue x);
  ir::EValue complex_atan2(ir::EValue y, ir::EValue x);
  ir::EValue real_sign(ir::EValue x);
  ir::EValue pick_max(ir::EValue a, ir::EValue b, bool maximum);
  llvm::Value* total_order_key(llvm::Value* x);
  ir::EValue wrap(ir::DType dtype, llvm::Value* value) { return {value, dtype}; }
  static llvm::Value* v(ir::EValue x) { return static_cast<llvm::Value*>(x.handle); }

  llvm::Module& module_;
  llvm::LLVMContext& context_;
  llvm::IRBuilder<> b_;
  const VectorLibrary& vector_library_;
  std::vector<const ir::Instruction*> current_;
  std::vector<Frame> frames_;
  std::vector<CacheScope> scopes_;
  std::map<std::string, llvm::GlobalVariable*> literal_globals_;  // by type and bytes
  std::optional<Error> failure_;
  bool flat_ = false;
  llvm::MDNode* alias_domain_ = nullptr;
  std::vector<llvm::MDNode*> alias_scopes_;  // inputs then outputs of the current kernel
  int input_count_ = 0;
};

}  // namespace hlocc::cpu::detail
