// Opcode histograms and their tables for `hlocc stats`.
#include "op_counts.h"

#include <algorithm>
#include <cstdio>

namespace hlocc::tools {
namespace {

// The label left-aligned to `label_width`, each cell right-aligned to its column's width.
std::string table_row(const std::string& label, const std::vector<std::string>& cells,
                      int label_width, const std::vector<int>& widths) {
  char cell[256];
  std::snprintf(cell, sizeof(cell), "%-*s", label_width, label.c_str());
  std::string line = cell;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::snprintf(cell, sizeof(cell), " %*s", widths[i], cells[i].c_str());
    line += cell;
  }
  return line + "\n";
}

}  // namespace

OpCounts count_ops(const ir::Module& module) {
  OpCounts counts;
  for (const auto& computation : module.computations()) {
    for (const auto& instruction : computation->instructions()) {
      ++counts[std::string(ir::op_name(instruction->op()))];
    }
  }
  return counts;
}

int64_t total(const OpCounts& counts) {
  int64_t sum = 0;
  for (const auto& [op, count] : counts) sum += count;
  return sum;
}

std::string counts_table(const std::vector<std::string>& headers,
                         const std::vector<OpCounts>& columns) {
  OpCounts all;
  for (const OpCounts& column : columns) all.insert(column.begin(), column.end());
  int label_width = static_cast<int>(std::string_view("opcode").size());
  for (const auto& [op, count] : all)
    label_width = std::max(label_width, static_cast<int>(op.size()));
  std::vector<int> widths;
  for (const std::string& header : headers)
    widths.push_back(std::max(8, static_cast<int>(header.size())));
  std::string table = table_row("opcode", headers, label_width, widths);
  for (const auto& [op, ignored] : all) {
    std::vector<std::string> cells;
    for (const OpCounts& column : columns) {
      const auto it = column.find(op);
      cells.push_back(std::to_string(it == column.end() ? 0 : it->second));
    }
    table += table_row(op, cells, label_width, widths);
  }
  std::vector<std::string> totals;
  for (const OpCounts& column : columns) totals.push_back(std::to_string(total(column)));
  return table + table_row("total", totals, label_width, widths);
}

}  // namespace hlocc::tools
