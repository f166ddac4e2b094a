// `hlocc stats vgg19 [--backward] [--batch N]`: the opcode histograms of a model's traced programs
// (built from nn/, never run) before and after the passes, forward beside backward.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "hlocc/nn/vgg.h"
#include "ir/parser.h"
#include "op_counts.h"
#include "passes/pass.h"
#include "peak_bytes.h"

namespace hlocc::tools {
namespace {

const char* const kModels[] = {"vgg11", "vgg13", "vgg16", "vgg19"};

struct Counts {
  OpCounts before, after;
  std::string peak_bytes = {};  // the arena after the passes (peak_bytes.h)
};

// The traced program's IR, copied through its text (the traced module is shared and const), with
// its counts before and after the passes.
Result<Counts> counts_of(const Module& program, const std::vector<std::string>& passes) {
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, ir::parse_module(program.to_string()));
  Counts counts{count_ops(*module), {}};
  HLOCC_TRY_STATUS(passes::run_passes(*module, passes));
  counts.after = count_ops(*module);
  HLOCC_TRY(counts.peak_bytes, peak_bytes_line(*module));
  return counts;
}

std::string ratio_line(const Counts& forward, const Counts& backward) {
  char line[160];
  std::snprintf(
      line, sizeof(line), "backward / forward after passes: %lld / %lld = %.2f\n",
      static_cast<long long>(total(backward.after)), static_cast<long long>(total(forward.after)),
      static_cast<double>(total(backward.after)) / static_cast<double>(total(forward.after)));
  return line;
}

}  // namespace

bool is_model_name(const std::string& name) {
  for (const char* model : kModels) {
    if (name == model) return true;
  }
  return false;
}

Status model_stats_command(const ModelStatsOptions& options) {
  if (!is_model_name(options.model)) {
    return Error("stats: unknown model '" + options.model +
                 "'; models are vgg11, vgg13, vgg16, vgg19");
  }
  if (options.batch < 1) {
    return Error("stats: --batch must be at least 1; got " + std::to_string(options.batch));
  }
  const nn::VggConfig config = nn::vgg_config(std::stoi(options.model.substr(3)));
  HLOCC_TRY(const Counts forward,
            counts_of(nn::vgg_forward_program(config, options.batch), options.passes));
  if (!options.backward) {
    std::cout << counts_table({"before", "after"}, {forward.before, forward.after})
              << forward.peak_bytes;
    return ok_status();
  }
  HLOCC_TRY(const Counts backward,
            counts_of(nn::vgg_gradient_program(config, options.batch), options.passes));
  std::cout << counts_table({"fwd-before", "fwd-after", "bwd-before", "bwd-after"},
                            {forward.before, forward.after, backward.before, backward.after})
            << ratio_line(forward, backward) << "forward " << forward.peak_bytes << "backward "
            << backward.peak_bytes;
  return ok_status();
}

}  // namespace hlocc::tools
