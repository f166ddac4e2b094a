// Instruction counts by opcode (over all computations of a module), and the table `hlocc stats`
// prints of them: one row per opcode, one column per module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/module.h"

namespace hlocc::tools {

using OpCounts = std::map<std::string, int64_t>;  // by opcode text name, so the table is sorted

OpCounts count_ops(const ir::Module& module);
int64_t total(const OpCounts& counts);

/// One row per opcode present in any column (0 where absent), then the totals; `headers[i]`
/// names `columns[i]`.
std::string counts_table(const std::vector<std::string>& headers,
                         const std::vector<OpCounts>& columns);

}  // namespace hlocc::tools
