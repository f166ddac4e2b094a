#include "autodiff/gradient_files.h"

#include <algorithm>
#include <sstream>

#include "autodiff/gradient_check.h"
#include "ir/parser.h"

namespace hlocc::testing {

namespace fs = std::filesystem;

GradientCase parse_gradient_directives(const std::string& text) {
  GradientCase c;
  std::istringstream lines(text);
  std::string line;
  auto directive = [&](const std::string& prefix) -> std::optional<std::string> {
    if (line.rfind(prefix, 0) != 0) return std::nullopt;
    return line.substr(prefix.size());
  };
  while (std::getline(lines, line)) {
    if (auto v = directive("// ARG: ")) {
      c.args.push_back(*v);
    } else if (auto v = directive("// RANGE: ")) {
      std::istringstream(*v) >> c.low >> c.high;
    } else if (auto v = directive("// WRT: ")) {
      std::istringstream numbers(*v);
      for (int64_t i; numbers >> i;) c.wrt.push_back(i);
    } else if (auto v = directive("// TRIALS: ")) {
      c.trials = std::stoi(*v);
    } else if (auto v = directive("// EXPECT_ERROR: ")) {
      c.expect_error = *v;
    } else if (directive("// NO_FORWARD: ")) {
      c.forward = false;
    }
  }
  return c;
}

std::vector<fs::path> gradient_files() {
  std::vector<fs::path> files;
  const fs::path root = fs::path(HLOCC_TEST_DATA_DIR) / "autodiff" / "gradients";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".hlo") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<ir::Literal>> gradient_inputs(const GradientCase& c,
                                                 const ir::Computation& entry, int trial) {
  std::vector<ir::Literal> args;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const size_t j = static_cast<size_t>(i);
    if (j < c.args.size() && c.args[j] != "random") {
      HLOCC_TRY(ir::Literal literal, ir::parse_literal(c.args[j]));
      args.push_back(std::move(literal));
    } else {
      args.push_back(random_f64(entry.parameter(i)->shape(),
                                static_cast<uint64_t>(trial * 131 + i + 1), c.low, c.high));
    }
  }
  return args;
}

}  // namespace hlocc::testing
