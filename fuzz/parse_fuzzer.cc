// libFuzzer target: HLO text -> parse -> print -> parse -> print (the two texts must be equal),
// then verify, then evaluate small verified modules on seeded inputs. Any crash or trap is a bug.
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "backends/reference/evaluator.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "random_literal.h"

namespace {

using namespace hlocc;  // NOLINT: a fuzz driver, not a header

// Bounds that keep one input well under libFuzzer's time and memory limits: the evaluator's cost
// grows with array sizes, window/contraction sizes (bounded by array sizes) and loop trips.
constexpr int64_t kMaxElementsPerInstruction = 4096;
constexpr int64_t kMaxTotalElements = 1 << 16;
constexpr int64_t kMaxWhileTrips = 16;
constexpr int kMaxWhileLoops = 3;

int64_t element_count(const ir::Shape& shape) {
  if (!shape.is_tuple()) return shape.is_array() ? shape.element_count() : 0;
  int64_t total = 0;
  for (const ir::Shape& element : shape.tuple_shapes()) total += element_count(element);
  return total;
}

bool small_enough_to_evaluate(const ir::Module& module) {
  int64_t total = 0;
  int while_loops = 0;
  for (const auto& computation : module.computations()) {
    for (const auto& instruction : computation->instructions()) {
      const int64_t count = element_count(instruction->shape());
      if (count > kMaxElementsPerInstruction) return false;
      total += count;
      if (instruction->op() == ir::Op::While) ++while_loops;
    }
  }
  return total <= kMaxTotalElements && while_loops <= kMaxWhileLoops;
}

[[noreturn]] void fail(const char* what, std::string_view first, std::string_view second) {
  std::fprintf(stderr, "%s\n--- first ---\n%.*s\n--- second ---\n%.*s\n", what,
               static_cast<int>(first.size()), first.data(), static_cast<int>(second.size()),
               second.data());
  __builtin_trap();
}

void check_round_trip(const ir::Module& module) {
  const std::string printed = ir::print_module(module);
  Result<std::unique_ptr<ir::Module>> reparsed = ir::parse_module(printed, "printed.hlo");
  if (!reparsed.ok()) fail("printed module does not parse", printed, reparsed.error().message());
  const std::string reprinted = ir::print_module(**reparsed);
  if (reprinted != printed) fail("print(parse(print(m))) != print(m)", printed, reprinted);
}

void evaluate(const ir::Module& module) {
  const ir::Computation& entry = *module.entry();
  std::vector<ir::Literal> arguments;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const uint64_t seed = tools::derive_seed(0, static_cast<uint64_t>(i));
    arguments.push_back(tools::random_literal(entry.parameter(i)->shape(), seed));
  }
  reference::EvalOptions options;
  options.max_while_trips = kMaxWhileTrips;
  // Errors (a loop over its trip bound, ...) are fine; crashes and sanitizer reports are not.
  (void)reference::evaluate(module, arguments, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<std::unique_ptr<ir::Module>> module = ir::parse_module(text, "fuzz.hlo");
  if (!module.ok()) return 0;
  check_round_trip(**module);
  if (!ir::verify(**module).ok()) return 0;
  if (small_enough_to_evaluate(**module)) evaluate(**module);
  return 0;
}
