// `hlocc bench vgg19 [--batch N] [--backward]`: the paper's workload. Traces the model (the
// forward pass, or with --backward a whole training step: forward, loss, gradient and an SGD
// update in one program), compiles it on a backend, runs it on fixed inputs (weights from a
// safetensors file, or He-uniform random ones) and prints the compile time, the time per batch
// (median of the timed runs, after warm-up) and images/s. It can write the logits and, for the
// training step, the updated weights, so that peers can check both against PyTorch.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "commands.h"
#include "hlocc/nn/optim.h"
#include "hlocc/nn/vgg.h"
#include "ir/parser.h"
#include "random_literal.h"
#include "runtime/npy.h"
#include "runtime/safetensors.h"

namespace hlocc::tools {
namespace {

using Clock = std::chrono::steady_clock;

// The training step's optimizer: torch.optim.SGD(lr, momentum=0.9, weight_decay=5e-4), the VGG
// paper's momentum and weight decay (the learning rate is --lr).
constexpr double kMomentum = 0.9;
constexpr double kWeightDecay = 5e-4;

nn::Optimizer bench_optimizer(const BenchOptions& options) {
  return nn::sgd({.lr = options.lr, .momentum = kMomentum, .weight_decay = kWeightDecay});
}

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

// Labels s32[batch] from an integer .npy file (numpy's default int64 too), each in [0, classes):
// the compiled loss does not check them.
Result<ir::Literal> read_labels(const std::string& path, const ir::Shape& shape, int64_t classes) {
  HLOCC_TRY(const ir::Literal file, runtime::read_npy(path));
  const DType dtype = file.shape().dtype();
  if ((dtype != DType::S32 && dtype != DType::S64) || file.shape().dims() != shape.dims()) {
    return Error(path + ": labels must be " + shape.to_string(false) + " (or s64); found " +
                 file.shape().to_string(false));
  }
  ir::Literal labels(shape);
  for (int64_t i = 0; i < labels.element_count(); ++i) {
    const size_t at = static_cast<size_t>(i);
    const int64_t label = dtype == DType::S32 ? file.data<int32_t>()[at] : file.data<int64_t>()[at];
    if (label < 0 || label >= classes) {
      return Error(path + ": label " + std::to_string(label) + " at row " + std::to_string(i) +
                   " is outside [0, " + std::to_string(classes) + ")");
    }
    labels.data<int32_t>()[at] = static_cast<int32_t>(label);
  }
  return labels;
}

// The program's arguments, in its parameters' order: the weights; for the training step the
// optimizer state before the first step (step 0 and zero momentum buffers); the images; for the
// training step the labels. The programs capture no large host constants, so that is all.
Result<std::vector<ir::Literal>> bench_arguments(const BenchOptions& options,
                                                 const nn::VggConfig& config,
                                                 const ir::Computation& entry) {
  HLOCC_TRY(std::vector<ir::Literal> args, load_weights(options, config, entry));
  const int64_t images_index = entry.parameter_count() - (options.backward ? 2 : 1);
  for (int64_t i = static_cast<int64_t>(args.size()); i < images_index; ++i)
    args.emplace_back(entry.parameter(i)->shape());  // zero-filled
  const ir::Shape& images = entry.parameter(images_index)->shape();
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
  if (!options.backward) return args;
  const ir::Shape& labels_shape = entry.parameter(images_index + 1)->shape();
  if (!options.labels.empty()) {
    HLOCC_TRY(ir::Literal labels, read_labels(options.labels, labels_shape, config.num_classes));
    args.push_back(std::move(labels));
    return args;
  }
  ir::Literal labels(labels_shape);
  int64_t next = 0;
  for (int32_t& label : labels.data<int32_t>())
    label = static_cast<int32_t>((next += 389) % config.num_classes);
  args.push_back(std::move(labels));
  return args;
}

// The training step's result is (loss, logits, new weights..., new optimizer state...).
Status write_outputs(const BenchOptions& options, const nn::VggConfig& config,
                     const ir::Literal& result) {
  if (options.backward) {
    std::printf("loss: %.9g\n", static_cast<double>(result.element(0).data<float>()[0]));
  }
  if (!options.out.empty()) {
    HLOCC_TRY_STATUS(runtime::write_npy(options.out, options.backward ? result.element(1) : result));
    std::printf("wrote %s\n", options.out.c_str());
  }
  if (!options.out_weights.empty()) {
    const std::vector<std::string> names = nn::param_names(config);
    runtime::NamedLiterals weights;
    for (size_t i = 0; i < names.size(); ++i)
      weights.emplace_back(names[i], result.element(static_cast<int64_t>(2 + i)));
    HLOCC_TRY_STATUS(runtime::write_safetensors(options.out_weights, weights));
    std::printf("wrote %s\n", options.out_weights.c_str());
  }
  return ok_status();
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
  if (!options.backward && (!options.labels.empty() || !options.out_weights.empty())) {
    return Error("bench: --labels and --out-weights need --backward (the training step)");
  }
  if (!(options.lr > 0) || !std::isfinite(options.lr)) {
    char lr[32];
    std::snprintf(lr, sizeof lr, "%g", options.lr);
    return Error(std::string("bench: --lr must be a positive number; got ") + lr);
  }
  const nn::VggConfig config = nn::vgg_config(std::stoi(options.model.substr(3)));
  const Module program =
      options.backward
          ? nn::vgg_train_step_program(config, options.batch, bench_optimizer(options))
          : nn::vgg_forward_program(config, options.batch);
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, ir::parse_module(program.to_string()));
  HLOCC_TRY(const std::vector<ir::Literal> args, bench_arguments(options, config, *module->entry()));
  Result<cpu::CpuOptions> cpu_options = cpu::cpu_options_from_environment();
  if (!cpu_options.ok()) return cpu_options.error();
  const std::unique_ptr<runtime::Backend> backend = bench_backend(options.backend, cpu_options);

  Clock::time_point start = Clock::now();
  HLOCC_TRY(const std::unique_ptr<runtime::Executable> executable, backend->compile(*module));
  const double compile_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Training steps run as in training: each from the weights and optimizer state the step before
  // it left (the backend must not get to reuse anything derived from unchanged weights). The
  // outputs written are the first step's, from the given weights.
  // (A forward run keeps no copy: at batch 100 the weights and images are 0.6 GB.)
  std::vector<ir::Literal> step_args = options.backward ? args : std::vector<ir::Literal>{};
  const std::vector<ir::Literal>& run_args = options.backward ? step_args : args;
  const size_t carried = options.backward ? args.size() - 2 : 0;  // all but images and labels
  std::optional<ir::Literal> first;
  const auto step = [&]() -> Status {
    HLOCC_TRY(ir::Literal result, executable->run(run_args));
    for (size_t i = 0; i < carried; ++i) {
      ir::Literal& next = result.element(static_cast<int64_t>(2 + i));
      step_args[i] = first ? std::move(next) : next;  // the first result is kept whole
    }
    if (!first) first = std::move(result);
    return ok_status();
  };
  for (int i = 0; i < options.warmup; ++i) HLOCC_TRY_STATUS(step());
  std::vector<double> times;
  for (int i = 0; i < options.repeats; ++i) {
    start = Clock::now();
    HLOCC_TRY_STATUS(step());
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double images_per_second = static_cast<double>(options.batch) / median;
  // A training step counts as 3 forward passes (the backward pass is about two); the optimizer's
  // few operations per weight are left out.
  const double flops = forward_flops_per_image(config, config.image_size) * (options.backward ? 3 : 1);
  char workload[128];
  if (options.backward) {
    std::snprintf(workload, sizeof workload,
                  "training step (SGD lr %g, momentum %g, weight decay %g)", options.lr, kMomentum,
                  kWeightDecay);
  } else {
    std::snprintf(workload, sizeof workload, "forward");
  }
  std::printf("%s %s, batch %lld, %s backend, %d threads\n", options.model.c_str(), workload,
              static_cast<long long>(options.batch), backend->name().c_str(),
              cpu_options->threads);
  std::printf("compile: %.3f s\n", compile_seconds);
  std::printf("time per batch: median %.4f s (min %.4f, max %.4f, %d runs)\n", median,
              times.front(), times.back(), options.repeats);
  std::printf("images/s: %.3f\nGFLOP/s: %.1f\n", images_per_second,
              images_per_second * flops / 1e9);
  return write_outputs(options, config, *first);
}

}  // namespace hlocc::tools
