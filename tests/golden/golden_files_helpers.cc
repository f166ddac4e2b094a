#include "golden/golden_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace hlocc::testing {

namespace fs = std::filesystem;

fs::path golden_dir() { return fs::path(HLOCC_TEST_DATA_DIR) / "golden"; }

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

GoldenCase parse_golden_directives(const std::string& text) {
  GoldenCase golden{.text = text, .args = {}, .expect = {}, .expect_error = {}, .tolerance = {}};
  std::istringstream lines(text);
  std::string line;
  std::string* last = nullptr;
  auto directive = [&](const std::string& prefix) -> std::optional<std::string> {
    if (line.rfind(prefix, 0) != 0) return std::nullopt;
    return line.substr(prefix.size());
  };
  while (std::getline(lines, line)) {
    if (auto v = directive("// ARG: ")) {
      golden.args.push_back(*v);
      last = &golden.args.back();
    } else if (auto v = directive("// EXPECT: ")) {
      golden.expect = *v;
      last = &*golden.expect;
    } else if (auto v = directive("// EXPECT_ERROR: ")) {
      golden.expect_error = *v;
      last = &*golden.expect_error;
    } else if (auto v = directive("// TOLERANCE: ")) {
      std::istringstream numbers(*v);
      Tolerance tolerance{0, 0};
      numbers >> tolerance.rtol;
      if (!(numbers >> tolerance.atol)) tolerance.atol = tolerance.rtol;
      golden.tolerance = tolerance;
      last = nullptr;
    } else if (auto v = directive("//+ ")) {
      if (last != nullptr) *last += " " + *v;
    } else {
      last = nullptr;
    }
  }
  return golden;
}

std::vector<fs::path> hlo_files_under(const fs::path& root) {
  std::vector<fs::path> files;
  if (!fs::exists(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".hlo")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> golden_files() { return hlo_files_under(golden_dir()); }

std::string test_name_for(const fs::path& file, const fs::path& root) {
  std::string name = fs::relative(file, root).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace hlocc::testing
