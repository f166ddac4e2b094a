// Reading the golden corpus (tests/golden/**/*.hlo, format: tests/golden/README.md): its files and
// each file's directives. Shared by the tests that run the corpus (evaluator, passes).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "test_helpers.h"

namespace hlocc::testing {

struct GoldenCase {
  std::string text;  // the whole file
  std::vector<std::string> args;
  std::optional<std::string> expect;
  std::optional<std::string> expect_error;
  std::optional<Tolerance> tolerance;
};

/// The whole contents of a file ("" if it cannot be read).
std::string read_text_file(const std::filesystem::path& path);

/// Reads the `// DIRECTIVE: value` lines of a golden file; `//+ text` continues the previous one.
GoldenCase parse_golden_directives(const std::string& text);

/// Every .hlo file under `root` (any depth), sorted; none if `root` does not exist.
std::vector<std::filesystem::path> hlo_files_under(const std::filesystem::path& root);

/// Every .hlo file under tests/golden, sorted.
std::vector<std::filesystem::path> golden_files();

/// A gtest parameter name for `file`: its path below `root`, without the extension, with every
/// character other than a letter or digit replaced by '_' ("control_while_factorial").
std::string test_name_for(const std::filesystem::path& file, const std::filesystem::path& root);

/// The root of the golden corpus: tests/golden.
std::filesystem::path golden_dir();

}  // namespace hlocc::testing
