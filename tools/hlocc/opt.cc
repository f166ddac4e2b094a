// The subcommands that run compiler passes: opt (prints the optimized module) and stats (what the
// passes did to the instruction counts).
#include <iostream>

#include "commands.h"
#include "ir/printer.h"
#include "op_counts.h"
#include "passes/pass.h"

namespace hlocc::tools {

Status opt_command(const std::string& path, const std::vector<std::string>& passes) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(path, /*verify=*/true));
  HLOCC_TRY_STATUS(passes::run_passes(*module, passes));
  std::cout << ir::print_module(*module);
  return ok_status();
}

Status stats_command(const std::string& path, const std::vector<std::string>& passes) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(path, /*verify=*/true));
  const OpCounts before = count_ops(*module);
  HLOCC_TRY_STATUS(passes::run_passes(*module, passes));
  std::cout << counts_table({"before", "after"}, {before, count_ops(*module)});
  return ok_status();
}

}  // namespace hlocc::tools
