// NumPy .npy files <-> Literals on the host: format versions 1, 2 and 3, little-endian arrays of
// every numeric dtype numpy shares with HLO. Malformed files give an error naming the file, never a
// crash.
#pragma once

#include <string>
#include <string_view>

#include "ir/literal.h"
#include "ir/result.h"

namespace hlocc::runtime {

/// Reads an array from a .npy file. Supported descrs: |b1 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 <f2 <f4
/// <f8 <c8 <c16 (any byte-order mark for one-byte types). fortran_order=True is transposed into
/// hlocc's row-major order. Big-endian data, structured dtypes and '<V2' (bfloat16 has no numpy
/// dtype) are rejected with a message naming the file.
Result<ir::Literal> read_npy(const std::string& path);

/// Writes an array Literal as a C-order .npy file (version 1, or 2 when the header is too long).
/// bf16 has no numpy dtype, so it is widened (exactly) to <f4. Tuples and tokens are rejected.
Status write_npy(const std::string& path, const ir::Literal& literal);

/// The in-memory forms of read_npy / write_npy; `name` is used in error messages.
Result<ir::Literal> parse_npy(std::string_view bytes, std::string_view name);
Result<std::string> to_npy(const ir::Literal& literal);

}  // namespace hlocc::runtime
