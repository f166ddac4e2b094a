#include "passes/file_check.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>
#include <variant>
#include <vector>

namespace hlocc::testing {
namespace {

enum class Kind { Check, Next, Not };

struct Directive {
  Kind kind;
  std::string pattern;  // as written, for messages
  std::regex regex;
  int line;  // in the check text, 1-based
};

// Literal text escaped for std::regex, except {{...}} parts, which are regexes already.
std::optional<std::string> pattern_regex(const std::string& pattern) {
  std::string regex;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 2, "[[") == 0) return std::nullopt;
    if (pattern.compare(i, 2, "{{") == 0) {
      const size_t end = pattern.find("}}", i + 2);
      if (end == std::string::npos) return std::nullopt;
      regex += "(?:" + pattern.substr(i + 2, end - i - 2) + ")";
      i = end + 1;
      continue;
    }
    if (std::string_view(".^$|()[]{}*+?\\/").find(pattern[i]) != std::string_view::npos)
      regex += '\\';
    regex += pattern[i];
  }
  return regex;
}

std::string trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

// The directives in `checks`, or an error message.
std::variant<std::vector<Directive>, std::string> parse_directives(std::string_view checks) {
  std::vector<Directive> directives;
  std::istringstream lines{std::string(checks)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const size_t at = line.find("CHECK");
    if (at == std::string::npos) continue;
    const size_t colon = line.find(':', at);
    const std::string name = colon == std::string::npos ? "" : line.substr(at, colon - at);
    const std::string where = "check line " + std::to_string(number) + ": ";
    Kind kind;
    if (name == "CHECK") {
      kind = Kind::Check;
    } else if (name == "CHECK-NEXT") {
      kind = Kind::Next;
    } else if (name == "CHECK-NOT") {
      kind = Kind::Not;
    } else {
      return where + "unsupported directive: " + line;
    }
    const std::string pattern = trim(std::string_view(line).substr(colon + 1));
    const std::optional<std::string> regex = pattern_regex(pattern);
    if (pattern.empty() || !regex) return where + "empty or unsupported pattern: " + line;
    if (kind == Kind::Next && directives.empty())
      return where + "CHECK-NEXT without a CHECK before it";
    directives.push_back({kind, pattern, std::regex(*regex), number});
  }
  if (directives.empty()) return std::string("no CHECK lines");
  return directives;
}

}  // namespace

std::string file_check(std::string_view checks, std::string_view output) {
  auto parsed = parse_directives(checks);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  const std::string text(output);
  auto line_of = [&](size_t position) {
    return std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(position), '\n');
  };
  size_t position = 0;  // just after the previous match
  std::vector<const Directive*> pending_nots;
  // The CHECK-NOTs seen since the last match must not occur in text[position, end).
  auto check_nots = [&](size_t end) -> std::string {
    for (const Directive* not_directive : pending_nots) {
      std::smatch match;
      const auto begin = text.begin() + static_cast<std::ptrdiff_t>(position);
      if (std::regex_search(begin, text.begin() + static_cast<std::ptrdiff_t>(end), match,
                            not_directive->regex)) {
        const size_t found = position + static_cast<size_t>(match.position());
        return "check line " + std::to_string(not_directive->line) + ": CHECK-NOT: found \"" +
               not_directive->pattern + "\" on output line " + std::to_string(line_of(found) + 1);
      }
    }
    pending_nots.clear();
    return "";
  };
  for (const Directive& directive : std::get<std::vector<Directive>>(parsed)) {
    if (directive.kind == Kind::Not) {
      pending_nots.push_back(&directive);
      continue;
    }
    const std::string where = "check line " + std::to_string(directive.line) + ": ";
    std::smatch match;
    if (!std::regex_search(text.begin() + static_cast<std::ptrdiff_t>(position), text.end(), match,
                           directive.regex)) {
      return where + "no match for \"" + directive.pattern + "\" after output line " +
             std::to_string(line_of(position) + 1);
    }
    const size_t start = position + static_cast<size_t>(match.position());
    if (directive.kind == Kind::Next && line_of(start) != line_of(position) + 1) {
      return where + "CHECK-NEXT: \"" + directive.pattern + "\" is on output line " +
             std::to_string(line_of(start) + 1) + ", not on the line after the previous match";
    }
    if (std::string error = check_nots(start); !error.empty()) return error;
    position = start + static_cast<size_t>(match.length());
  }
  return check_nots(text.size());
}

}  // namespace hlocc::testing
