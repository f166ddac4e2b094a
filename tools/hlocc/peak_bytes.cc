#include "peak_bytes.h"

#include <algorithm>
#include <cstdio>

#include "passes/aliasing.h"
#include "passes/buffer_assignment.h"

namespace hlocc::tools {
namespace {

double mib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// The most bytes one instruction touches in the arena: its distinct computed operand buffers
// and its result (views and leaves touch none; parameters are counted apart).
int64_t largest_input_output(const ir::Computation& computation) {
  const passes::BufferAliases aliases(computation);
  int64_t largest = 0;
  for (const auto& inst : computation.instructions()) {
    if (passes::is_view(*inst) || inst->op() == ir::Op::Parameter ||
        inst->op() == ir::Op::Constant) {
      continue;
    }
    int64_t bytes = inst->shape().byte_size();
    for (const int64_t buffer : aliases.buffers_read(*inst)) {
      const passes::LogicalBuffer& read = aliases.buffers()[static_cast<size_t>(buffer)];
      if (read.origin == passes::BufferOrigin::Computed) bytes += read.size;
    }
    largest = std::max(largest, bytes);
  }
  return largest;
}

}  // namespace

Result<std::string> peak_bytes_line(const ir::Module& module) {
  const ir::Computation& entry = *module.entry();
  HLOCC_TRY(const passes::BufferAssignment assignment,
            passes::assign_buffers(
                entry, {.may_reuse_operand_buffer = passes::elementwise_may_reuse_operand}));
  int64_t parameters = 0;
  for (const ir::Instruction* parameter : entry.parameters()) {
    parameters += parameter->shape().byte_size();
  }
  const int64_t io = largest_input_output(entry);
  const double ratio = static_cast<double>(assignment.arena_bytes + parameters) /
                       static_cast<double>(std::max<int64_t>(io + parameters, 1));
  char line[320];
  std::snprintf(line, sizeof(line),
                "peak bytes: arena %.1f MiB (live at once %.1f MiB) + parameters %.1f MiB; "
                "bound: largest input+output %.1f MiB + parameters = %.1f MiB; "
                "(arena + parameters) / bound = %.3f\n",
                mib(assignment.arena_bytes), mib(assignment.min_live_bytes), mib(parameters),
                mib(io), mib(io + parameters), ratio);
  return std::string(line);
}

}  // namespace hlocc::tools
