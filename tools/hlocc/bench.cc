// `hlocc bench vgg19 [--batch N] [--backward]`: the paper's workload. Traces the model, compiles
// it on a backend, runs it on fixed inputs (weights from a safetensors file, or He-uniform random
// ones) and prints the compile time, the time per batch (median of the timed runs, after warm-up)
// and images/s.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "commands.h"
#include "hlocc/nn/vgg.h"
#include "ir/parser.h"
#include "random_literal.h"
#include "runtime/npy.h"
#include "runtime/safetensors.h"

namespace hlocc::tools {
namespace {

using Clock = std::chrono::steady_clock;

// Forward FLOPs of one image through the VGG (2 per multiply-add), for GFLOP/s.
double forward_flops_per_image(const nn::VggConfig& config, int64_t image_size) {
  double flops = 0;
  int64_t channels = config.in_channels, size = image_size;
  for (int64_t entry : config.features) {
    if (entry == nn::kMaxPool) {
      size /= 2;
      continue;
    }
    flops += 2.0 * static_cast<double>(channels * entry * 9 * size * size);
    channels = entry;
  }
  int64_t width = channels * size * size;
  for (int64_t hidden : config.classifier_hidden) {
    flops += 2.0 * static_cast<double>(width * hidden);
    width = hidden;
  }
  return flops + 2.0 * static_cast<double>(width * config.num_classes);
}

// He-uniform values (bound sqrt(6 / fan_in)) keep activations finite through 19 layers.
ir::Literal he_uniform(const ir::Shape& shape, uint64_t seed) {
  ir::Literal literal = random_literal(shape, seed);  // uniform in [-1, 1)
  const int64_t fan_in = shape.rank() >= 2 ? shape.element_count() / shape.dim(0) : 0;
  const float scale = fan_in > 0 ? std::sqrt(6.0f / static_cast<float>(fan_in)) : 0.0f;
  for (float& value : literal.data<float>()) value *= scale;
  return literal;
}

Result<std::vector<ir::Literal>> load_weights(const BenchOptions& options,
                                              const nn::VggConfig& config,
                                              const ir::Computation& entry) {
  const std::vector<std::string> names = nn::param_names(config);
  std::vector<ir::Literal> weights;
  if (options.weights.empty()) {
    for (size_t i = 0; i < names.size(); ++i) {
      weights.push_back(he_uniform(entry.parameter(static_cast<int64_t>(i))->shape(), 1000 + i));
    }
    return weights;
  }
  HLOCC_TRY(runtime::NamedLiterals file, runtime::read_safetensors(options.weights));
  for (size_t i = 0; i < names.size(); ++i) {
    const ir::Shape& expected = entry.parameter(static_cast<int64_t>(i))->shape();
    auto found = std::find_if(file.begin(), file.end(),
                              [&](const auto& named) { return named.first == names[i]; });
    if (found == file.end()) {
      return Error(options.weights + ": no tensor \"" + names[i] + "\" (expected " +
                   expected.to_string(false) + ")");
    }
    if (!(found->second.shape() == expected)) {
      return Error(options.weights + ": tensor \"" + names[i] + "\" must be " +
                   expected.to_string(false) + "; found " + found->second.shape().to_string(false));
    }
    weights.push_back(std::move(found->second));
  }
  return weights;
}

Result<std::vector<ir::Literal>> bench_arguments(const BenchOptions& options,
                                                 const nn::VggConfig& config,
                                                 const ir::Computation& entry) {
  HLOCC_TRY(std::vector<ir::Literal> args, load_weights(options, config, entry));
  const size_t images_index = args.size();
  const ir::Shape& images = entry.parameter(static_cast<int64_t>(images_index))->shape();
  if (options.input.empty()) {
    ir::Literal literal = random_literal(images, 7);
    for (float& value : literal.data<float>()) value = 0.5f * (value + 1.0f);
    args.push_back(std::move(literal));
  } else {
    HLOCC_TRY(ir::Literal literal, runtime::read_npy(options.input));
    if (!(literal.shape() == images)) {
      return Error(options.input + ": images must be " + images.to_string(false) + "; found " +
                   literal.shape().to_string(false));
    }
    args.push_back(std::move(literal));
  }
  if (options.backward) {
    ir::Literal labels(entry.parameter(static_cast<int64_t>(images_index + 1))->shape());
    int32_t next = 0;
    for (int32_t& label : labels.data<int32_t>()) label = (next += 389) % 1000;
    args.push_back(std::move(labels));
  }
  return args;
}

std::unique_ptr<runtime::Backend> bench_backend(const std::string& name, Result<cpu::CpuOptions>& cpu) {
  if (name == "reference") return std::make_unique<reference::ReferenceBackend>();
  return cpu::make_cpu_backend(*cpu);
}

}  // namespace

Status bench_command(const BenchOptions& options) {
  if (!is_model_name(options.model)) {
    return Error("bench: unknown model '" + options.model + "'; models are vgg11 ... vgg19");
  }
  if (options.batch < 1 || options.repeats < 1) {
    return Error("bench: --batch and --repeats must be at least 1");
  }
  const nn::VggConfig config = nn::vgg_config(std::stoi(options.model.substr(3)));
  const Module program = options.backward ? nn::vgg_gradient_program(config, options.batch)
                                          : nn::vgg_forward_program(config, options.batch);
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, ir::parse_module(program.to_string()));
  HLOCC_TRY(const std::vector<ir::Literal> args, bench_arguments(options, config, *module->entry()));
  Result<cpu::CpuOptions> cpu_options = cpu::cpu_options_from_environment();
  if (!cpu_options.ok()) return cpu_options.error();
  const std::unique_ptr<runtime::Backend> backend = bench_backend(options.backend, cpu_options);

  Clock::time_point start = Clock::now();
  HLOCC_TRY(const std::unique_ptr<runtime::Executable> executable, backend->compile(*module));
  const double compile_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ir::Literal result;
  for (int i = 0; i < options.warmup; ++i) {
    HLOCC_TRY(result, executable->run(args));
  }
  std::vector<double> times;
  for (int i = 0; i < options.repeats; ++i) {
    start = Clock::now();
    HLOCC_TRY(result, executable->run(args));
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double images_per_second = static_cast<double>(options.batch) / median;
  const double flops = forward_flops_per_image(config, config.image_size) * (options.backward ? 3 : 1);
  std::printf("%s %s, batch %lld, %s backend, %d threads\n", options.model.c_str(),
              options.backward ? "gradient" : "forward", static_cast<long long>(options.batch),
              backend->name().c_str(), cpu_options->threads);
  std::printf("compile: %.3f s\n", compile_seconds);
  std::printf("time per batch: median %.4f s (min %.4f, max %.4f, %d runs)\n", median,
              times.front(), times.back(), options.repeats);
  std::printf("images/s: %.3f\nGFLOP/s: %.1f\n", images_per_second,
              images_per_second * flops / 1e9);
  if (!options.out.empty()) {
    HLOCC_TRY_STATUS(runtime::write_npy(options.out, result.shape().is_tuple() ? result.element(0) : result));
    std::printf("wrote %s\n", options.out.c_str());
  }
  return ok_status();
}

}  // namespace hlocc::tools
