// The dimension numbers gather and scatter share, and the one reader of them that shape
// inference, evaluation, the vjp rules and the elemental rules all use. Used only by src/ir/ops.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/instruction.h"
#include "ir/result.h"

namespace hlocc::ir::ops {

/// Gather and scatter index the operand the same way; these are their dimension numbers under
/// role names, with each op's attribute names in IndexDimNames.
struct IndexDims {
  std::vector<int64_t> window_dims;            // offset_dims / update_window_dims
  std::vector<int64_t> collapsed_dims;         // collapsed_slice_dims / inserted_window_dims
  std::vector<int64_t> index_map;              // start_index_map / scatter_dims_to_operand_dims
  std::vector<int64_t> operand_batching_dims;  // operand_batching_dims / input_batching_dims
  // start_indices_batching_dims / scatter_indices_batching_dims
  std::vector<int64_t> indices_batching_dims;
  int64_t index_vector_dim = 0;
};

/// Each role's attribute name in one op (and the index array's name, for messages).
struct IndexDimNames {
  const char* window;
  const char* collapsed;
  const char* index_map;
  const char* operand_batching;
  const char* indices_batching;
  const char* indices;
};

inline constexpr IndexDimNames kGatherDimNames = {
    "offset_dims",           "collapsed_slice_dims",        "start_index_map",
    "operand_batching_dims", "start_indices_batching_dims", "start_indices"};
inline constexpr IndexDimNames kScatterDimNames = {
    "update_window_dims",  "inserted_window_dims",          "scatter_dims_to_operand_dims",
    "input_batching_dims", "scatter_indices_batching_dims", "scatter_indices"};

/// kGatherDimNames or kScatterDimNames, for a gather or scatter instruction.
const IndexDimNames& index_dim_names(const Instruction& inst);

/// The dimension numbers of a gather or scatter, or "<op>: missing attribute '...'". The batching
/// dims are newer than the rest and optional in HLO text (absent means none).
Result<IndexDims> read_index_dims(const Instruction& inst);

/// read_index_dims of an instruction the verifier has accepted (a failure is a compiler bug).
IndexDims verified_index_dims(const Instruction& inst);

/// Sets `dims` as the attributes of a new gather or scatter, named by `names`; batching dims only
/// when there are some.
void set_index_dims(Attributes& attrs, const IndexDims& dims, const IndexDimNames& names);

}  // namespace hlocc::ir::ops
