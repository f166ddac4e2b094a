// Reading modules for every subcommand, and the ones that read and print: fmt, check and grad.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "autodiff/reverse.h"
#include "commands.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace hlocc::tools {
namespace {

Result<std::string> read_text(const std::string& path) {
  std::ostringstream contents;
  if (path == "-") {
    contents << std::cin.rdbuf();
    return contents.str();
  }
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return Error(path + ": is a directory");
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error(path + ": cannot open file: " + std::strerror(errno));
  contents << file.rdbuf();
  if (file.bad()) return Error(path + ": read failed: " + std::strerror(errno));
  return contents.str();
}

}  // namespace

Result<std::unique_ptr<ir::Module>> load_module(const std::string& path, bool verify) {
  HLOCC_TRY(const std::string text, read_text(path));
  HLOCC_TRY(std::unique_ptr<ir::Module> module,
            ir::parse_module(text, path == "-" ? "<stdin>" : path));
  if (verify) HLOCC_TRY_STATUS(ir::verify(*module));
  return module;
}

Status fmt_command(const std::string& path) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(path, /*verify=*/false));
  std::cout << ir::print_module(*module);
  return ok_status();
}

Status grad_command(const std::string& path, const std::vector<int64_t>& wrt) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(path, /*verify=*/true));
  HLOCC_TRY(const std::unique_ptr<ir::Module> gradient, autodiff::value_and_grad(*module, wrt));
  std::cout << ir::print_module(*gradient);
  return ok_status();
}

Status check_command(const std::string& path) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(path, /*verify=*/true));
  std::cout << "ok\n";
  return ok_status();
}

}  // namespace hlocc::tools
