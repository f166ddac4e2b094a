// Rules of `dot`: XLA's general dot with batch and contracting dimension numbers. Result dims are
// the batch dims, then lhs free dims, then rhs free dims; evaluation packs [B,M,K] x [B,K,N].
#include <algorithm>
#include <numeric>
#include <set>

#include "ir/ops/contraction.h"

namespace hlocc::ir::ops {
namespace {

struct DotDims {
  std::vector<int64_t> lhs_batch, rhs_batch, lhs_contracting, rhs_contracting;
};

DotDims dot_dims(const Instruction& inst) {
  const Attributes& a = inst.attrs();
  return {a.int_list_or_empty("lhs_batch_dims"), a.int_list_or_empty("rhs_batch_dims"),
          a.int_list_or_empty("lhs_contracting_dims"), a.int_list_or_empty("rhs_contracting_dims")};
}

// Dimensions of a rank-`rank` operand that are neither batch nor contracting, in increasing order.
std::vector<int64_t> free_dims(int64_t rank, const std::vector<int64_t>& batch,
                               const std::vector<int64_t>& contracting) {
  std::vector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    const bool is_batch = std::find(batch.begin(), batch.end(), d) != batch.end();
    const bool is_contracting =
        std::find(contracting.begin(), contracting.end(), d) != contracting.end();
    if (!is_batch && !is_contracting) result.push_back(d);
  }
  return result;
}

// Batch and contracting dims of one side: in range, and no dimension listed twice.
Status check_side(const Instruction& inst, const char* side, const Shape& shape,
                  const std::vector<int64_t>& batch, const std::vector<int64_t>& contracting) {
  const std::string batch_name = std::string(side) + "_batch_dims";
  const std::string contracting_name = std::string(side) + "_contracting_dims";
  const std::string got = "; got " + batch_name + "=" + braced(batch) + ", " + contracting_name +
                          "=" + braced(contracting) + " for " + side + " " + shape.to_string(false);
  std::set<int64_t> seen;
  for (const std::vector<int64_t>* dims : {&batch, &contracting}) {
    for (int64_t d : *dims) {
      if (d < 0 || d >= shape.rank()) return op_error(inst, "dimension number out of range" + got);
      if (!seen.insert(d).second) return op_error(inst, "a dimension is listed twice" + got);
    }
  }
  return ok_status();
}

// Pairs lhs_dims[i] with rhs_dims[i]: equal counts and equal sizes.
Status check_pairs(const Instruction& inst, const char* what, const Shape& lhs, const Shape& rhs,
                   const std::vector<int64_t>& lhs_dims, const std::vector<int64_t>& rhs_dims) {
  if (lhs_dims.size() != rhs_dims.size()) {
    return op_error(inst, "lhs and rhs need the same number of " + std::string(what) +
                              " dimensions; got lhs_" + what + "_dims=" + braced(lhs_dims) +
                              " and rhs_" + what + "_dims=" + braced(rhs_dims));
  }
  for (size_t i = 0; i < lhs_dims.size(); ++i) {
    const int64_t l = lhs_dims[i], r = rhs_dims[i];
    if (lhs.dim(l) != rhs.dim(r)) {
      return op_error(inst, std::string(what) + " dimensions differ; got lhs " +
                                lhs.to_string(false) + " (dim " + std::to_string(l) + " = " +
                                std::to_string(lhs.dim(l)) + ") and rhs " + rhs.to_string(false) +
                                " (dim " + std::to_string(r) + " = " + std::to_string(rhs.dim(r)) +
                                ")");
    }
  }
  return ok_status();
}

Result<Shape> infer_dot_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* lhs, array_operand(inst, 0));
  HLOCC_TRY(const Shape* rhs, array_operand(inst, 1));
  const DotDims d = dot_dims(inst);
  HLOCC_TRY_STATUS(check_side(inst, "lhs", *lhs, d.lhs_batch, d.lhs_contracting));
  HLOCC_TRY_STATUS(check_side(inst, "rhs", *rhs, d.rhs_batch, d.rhs_contracting));
  HLOCC_TRY_STATUS(
      check_pairs(inst, "contracting", *lhs, *rhs, d.lhs_contracting, d.rhs_contracting));
  HLOCC_TRY_STATUS(check_pairs(inst, "batch", *lhs, *rhs, d.lhs_batch, d.rhs_batch));
  HLOCC_TRY(const DType dtype, contraction_result_dtype(inst));
  std::vector<int64_t> dims;
  for (int64_t b : d.lhs_batch) dims.push_back(lhs->dim(b));
  for (int64_t f : free_dims(lhs->rank(), d.lhs_batch, d.lhs_contracting))
    dims.push_back(lhs->dim(f));
  for (int64_t f : free_dims(rhs->rank(), d.rhs_batch, d.rhs_contracting))
    dims.push_back(rhs->dim(f));
  return Shape::array(dtype, std::move(dims));
}

int64_t product_of_dims(const Shape& shape, const std::vector<int64_t>& dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1},
                         [&](int64_t p, int64_t d) { return p * shape.dim(d); });
}

std::vector<int64_t> concat(std::initializer_list<std::vector<int64_t>> parts) {
  std::vector<int64_t> result;
  for (const auto& part : parts) result.insert(result.end(), part.begin(), part.end());
  return result;
}

// The packed problem: lhs as [B,M,K] and rhs as [B,K,N], both in the accumulator type.
struct DotProblem {
  int64_t batch = 1, rows = 1, depth = 1, columns = 1;
  std::vector<int64_t> lhs_perm, rhs_perm;
};

DotProblem dot_problem(const Instruction& inst) {
  const Shape& lhs = inst.operand(0)->shape();
  const Shape& rhs = inst.operand(1)->shape();
  const DotDims d = dot_dims(inst);
  const std::vector<int64_t> lhs_free = free_dims(lhs.rank(), d.lhs_batch, d.lhs_contracting);
  const std::vector<int64_t> rhs_free = free_dims(rhs.rank(), d.rhs_batch, d.rhs_contracting);
  return {product_of_dims(lhs, d.lhs_batch),
          product_of_dims(lhs, lhs_free),
          product_of_dims(lhs, d.lhs_contracting),
          product_of_dims(rhs, rhs_free),
          concat({d.lhs_batch, lhs_free, d.lhs_contracting}),
          concat({d.rhs_batch, d.rhs_contracting, rhs_free})};
}

// out[b,m,:] = sum_k lhs[b,m,k] * rhs[b,k,:], summed over k in order as XLA's evaluator does.
template <class T>
void run_dot(const DotProblem& p, const Literal& lhs, const Literal& rhs, Literal& result) {
  using A = Accumulator<T>;
  Buffer<A> lhs_packed(p.batch * p.rows * p.depth), rhs_packed(p.batch * p.depth * p.columns);
  transpose_into<T, A>(lhs.data<T>(), lhs.shape().dims(), p.lhs_perm, lhs_packed.span());
  transpose_into<T, A>(rhs.data<T>(), rhs.shape().dims(), p.rhs_perm, rhs_packed.span());
  T* out = result.data<T>().data();
  const int64_t n_count = p.columns, k_count = p.depth;
  auto rows = [&](int64_t begin, int64_t end) {
    Buffer<A> acc_row(n_count);
    A* acc = acc_row.data();
    for (int64_t r = begin; r < end; ++r) {
      std::fill(acc, acc + n_count, A(0));
      const A* lhs_row = lhs_packed.data() + r * k_count;
      const A* rhs_batch = rhs_packed.data() + (r / p.rows) * k_count * n_count;
      for (int64_t k = 0; k < k_count; ++k) {
        const A a = lhs_row[k];
        const A* rhs_row = rhs_batch + k * n_count;
        for (int64_t n = 0; n < n_count; ++n) multiply_add(acc[n], a, rhs_row[n]);
      }
      for (int64_t n = 0; n < n_count; ++n) out[r * n_count + n] = static_cast<T>(acc[n]);
    }
  };
  parallel_for(p.batch * p.rows, p.batch * p.rows * k_count * n_count, rows);
}

Result<Literal> evaluate_dot(const Instruction& inst, std::span<const Literal* const> operands,
                             EvalContext&) {
  const DType dtype = inst.shape().dtype();
  Literal lhs_storage, rhs_storage;  // XLA converts both operands to the result type first
  const Literal& lhs = converted(*operands[0], dtype, lhs_storage);
  const Literal& rhs = converted(*operands[1], dtype, rhs_storage);
  Literal result(inst.shape());
  const DotProblem problem = dot_problem(inst);
  dispatch_dtype(
      dtype, [&](auto tag) { run_dot<typename decltype(tag)::type>(problem, lhs, rhs, result); });
  return result;
}

}  // namespace

void register_dot_rules(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Dot)] =
      OpRules{.infer_shape = infer_dot_shape, .evaluate = evaluate_dot};
}

}  // namespace hlocc::ir::ops
