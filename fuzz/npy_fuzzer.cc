// libFuzzer target: bytes -> parse_npy; whatever parses must write back and re-read to the same
// Literal. Corrupt files must give errors, never crashes or huge allocations.
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "runtime/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hlocc::runtime::parse_npy;
  using hlocc::runtime::to_npy;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hlocc::Result<hlocc::ir::Literal> literal = parse_npy(bytes, "fuzz.npy");
  if (!literal.ok()) return 0;
  hlocc::Result<std::string> written = to_npy(*literal);
  if (!written.ok()) {
    std::fprintf(stderr, "cannot write what was read: %s\n", written.error().message().c_str());
    __builtin_trap();
  }
  hlocc::Result<hlocc::ir::Literal> reread = parse_npy(*written, "rewritten.npy");
  if (!reread.ok() || !(*reread == *literal)) {
    std::fprintf(stderr, "written .npy does not read back the same\n");
    __builtin_trap();
  }
  return 0;
}
