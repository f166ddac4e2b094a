// `hlocc train fashion-mnist` and `hlocc eval CHECKPOINT`: the end-to-end training workload. Each
// step is one jitted program (forward, loss, gradient, optimizer update); after each epoch a
// jitted eval forward measures test accuracy. The checkpoint is a safetensors file with the
// Sequential's PyTorch-style names (torchvision's for VGG), plus a u8 tensor "hlocc.model" holding
// the model's name so that `eval` can rebuild the model without being told which one it is.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <numeric>
#include <span>
#include <variant>

#include "commands.h"
#include "hlocc/nn/data.h"
#include "hlocc/nn/models.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/reductions.h"
#include "hlocc/trace.h"
#include "progress.h"
#include "runtime/safetensors.h"
#include "trace/tensor_node.h"

namespace hlocc::tools {
namespace {

using nn::TensorMap;

constexpr const char* kModelTensor = "hlocc.model";
constexpr int64_t kEvalBatch = 500;

constexpr int64_t kFashionMnistSize = 28;

// A model `hlocc train` builds, and the image size it takes: Fashion-MNIST's 28, or 32 for the
// CIFAR-size VGG, whose five 2x2 pools need a multiple of 32 (the images are padded).
struct Model {
  std::variant<nn::Sequential, nn::VggBn> layers;
  int64_t image_size = kFashionMnistSize;

  template <class Fn>
  decltype(auto) visit(Fn&& fn) const {
    return std::visit(std::forward<Fn>(fn), layers);
  }
};

Result<Model> model_named(const std::string& name) {
  if (name == "small-cnn") return Model{nn::fashion_mnist_cnn(nn::kFashionMnistClasses)};
  if (name == "mlp") {
    return Model{nn::mlp(kFashionMnistSize * kFashionMnistSize, {256, 128},
                         nn::kFashionMnistClasses)};
  }
  if (name == "vgg11-cifar") {
    nn::VggConfig config = nn::vgg_cifar_config(11, nn::kFashionMnistClasses);
    config.in_channels = 1;
    return Model{nn::VggBn(config), config.image_size};
  }
  return Error("unknown model '" + name + "'\n  hint: models are small-cnn, mlp and vgg11-cifar");
}

// The CPU backend times Winograd against direct convolution once per shape and keeps the faster
// one. For small-cnn's 32->64 conv the two are within 10% (11.2 vs 12.3 ms at batch 128), so which
// wins depends on the machine's load, and the two round differently: one seed trained to
// different weights run to run. Training and eval pin direct (as fast here) unless the user chose.
void pin_conv_algorithm() { setenv("HLOCC_CONV_ALGORITHM", "direct", /*overwrite=*/0); }

// The learning rate of `options` as a schedule over `total_steps` updates.
Result<nn::Schedule> schedule_named(const TrainOptions& options, int64_t total_steps) {
  const double lr = options.lr.value_or(default_learning_rate(options.optimizer));
  std::optional<nn::Schedule> schedule;
  if (options.schedule == "constant") schedule = nn::Schedule(lr);
  if (options.schedule == "cosine") schedule = nn::cosine_lr(lr, total_steps);
  if (!schedule) {
    return Error("unknown schedule '" + options.schedule +
                 "'\n  hint: schedules are constant and cosine");
  }
  if (options.warmup > 0) return nn::linear_warmup(*schedule, options.warmup);
  return *schedule;
}

nn::Optimizer optimizer_named(const std::string& name, const nn::Schedule& lr) {
  if (name == "sgd") return nn::sgd({.lr = lr, .momentum = 0.9});
  if (name == "adamw") return nn::adamw({.lr = lr, .weight_decay = 0.01});
  return nn::adam({.lr = lr});
}

// `dataset` with each image padded to size x size by the normalized value of a black pixel, the
// background of Fashion-MNIST's images.
nn::Dataset padded_images(const nn::Dataset& dataset, int64_t size) {
  const std::vector<int64_t>& dims = dataset.images().dims();
  const int64_t count = dims[0], channels = dims[1], height = dims[2], width = dims[3];
  if (height == size && width == size) return dataset;
  const int64_t top = (size - height) / 2, left = (size - width) / 2;
  std::vector<float> pixels(static_cast<size_t>(count * channels * size * size),
                            -nn::kFashionMnistMean / nn::kFashionMnistStd);
  const std::span<const float> source = dataset.images().data<float>();
  for (int64_t plane = 0; plane < count * channels; ++plane) {
    for (int64_t y = 0; y < height; ++y) {
      const auto from = source.begin() + (plane * height + y) * width;
      std::copy(from, from + width, pixels.begin() + (plane * size + top + y) * size + left);
    }
  }
  return nn::Dataset(HostArray::from_vector<float>({count, channels, size, size}, pixels),
                     dataset.labels());
}

// The first `limit` examples (all of them when limit <= 0 or beyond the size).
nn::Dataset first_examples(nn::Dataset dataset, int64_t limit) {
  if (limit <= 0 || limit >= dataset.size()) return dataset;
  std::vector<int64_t> indices(static_cast<size_t>(limit));
  std::iota(indices.begin(), indices.end(), 0);
  nn::Batch batch = dataset.gather(indices);
  return nn::Dataset(std::move(batch.images), std::move(batch.labels));
}

// Fashion-MNIST's test images (the first `limit` when positive), at the model's image size.
nn::Dataset test_images(const Model& model, const std::string& data_dir, int64_t limit) {
  return padded_images(
      first_examples(nn::Dataset::fashion_mnist(nn::Dataset::Split::Test, data_dir), limit),
      model.image_size);
}

// Percent of `test` that the model classifies correctly, by a jitted eval forward per batch.
double test_accuracy(const Model& model, const TensorMap& params, const TensorMap& state,
                     const nn::Dataset& test) {
  const auto correct = jit([&](const TensorMap& p, const TensorMap& s, const Tensor& images,
                               const Tensor& labels) {
    const Tensor logits = model.visit([&](const auto& layers) { return layers(p, s, images); });
    return sum(astype(equal(argmax(logits, 1), labels), DType::S32));
  });
  // Batches of 500 divide the 10000 test images (one trace); a smaller --test-limit is one batch.
  nn::BatchLoader loader(test, {.batch_size = std::min(kEvalBatch, test.size()), .shuffle = false});
  int64_t right = 0;
  while (std::optional<nn::Batch> batch = loader.next()) {
    right += static_cast<int64_t>(
        correct(params, state, batch->images, batch->labels).to_host().as_double(0));
  }
  return 100.0 * static_cast<double>(right) / static_cast<double>(test.size());
}

std::string accuracy_text(double percent) {
  char text[64];
  std::snprintf(text, sizeof text, "test accuracy %.2f%%", percent);
  return text;
}

// params, state and the model's name, as one safetensors file.
Status write_checkpoint(const std::string& path, const std::string& model, const TensorMap& params,
                        const TensorMap& state) {
  runtime::NamedLiterals tensors;
  for (const TensorMap* map : {&params, &state}) {
    for (const auto& [name, tensor] : *map) {
      tensors.emplace_back(name, tracing::to_literal(tensor.to_host()));
    }
  }
  const std::vector<uint8_t> name_bytes(model.begin(), model.end());
  tensors.emplace_back(kModelTensor,
                       tracing::to_literal(HostArray::from_vector<uint8_t>(
                           {static_cast<int64_t>(name_bytes.size())}, name_bytes)));
  return runtime::write_safetensors(path, tensors);
}

struct TrainedState {
  TensorMap params, state;
  nn::OptimizerState optimizer_state;
};

// One epoch of jitted steps over shuffled full batches, shown on `progress`.
template <class Step>
void train_epoch(const Step& step, const nn::Dataset& train, const TrainOptions& options,
                 int64_t epoch, TrainedState& trained, ProgressBar& progress) {
  nn::PrefetchingLoader loader(nn::BatchLoader(
      train, {.batch_size = options.batch, .seed = options.seed, .drop_last = true}, epoch));
  const Tensor epoch_key = random::fold_in(random::key(options.seed), 1 + epoch);
  uint32_t index = 0;
  while (std::optional<nn::Batch> batch = loader.next()) {
    Tensor loss;
    std::tie(trained.params, trained.state, trained.optimizer_state, loss) =
        step(trained.params, trained.state, trained.optimizer_state, batch->images,
             batch->labels, random::fold_in(epoch_key, index++));
    progress.step(loss.to_host().as_double(0));
  }
}

Status check_train_options(const TrainOptions& options) {
  if (options.dataset != "fashion-mnist") {
    return Error("unknown dataset '" + options.dataset +
                 "'\n  hint: the one dataset is fashion-mnist");
  }
  if (options.epochs < 1 || options.batch < 1) {
    return Error("--epochs and --batch must be at least 1; got " +
                 std::to_string(options.epochs) + " and " + std::to_string(options.batch));
  }
  if (options.lr && !(*options.lr > 0)) {
    char text[64];
    std::snprintf(text, sizeof text, "--lr must be positive; got %g", *options.lr);
    return Error(text);
  }
  if (options.warmup < 0) {
    return Error("--warmup must be at least 0; got " + std::to_string(options.warmup));
  }
  return ok_status();
}

std::string optimizer_text(const TrainOptions& options) {
  char text[160];
  std::snprintf(text, sizeof text, "%s, lr %g %s", options.optimizer.c_str(),
                options.lr.value_or(default_learning_rate(options.optimizer)),
                options.schedule.c_str());
  std::string line = text;
  if (options.warmup > 0) line += " after " + std::to_string(options.warmup) + " warmup steps";
  return line;
}

Status train(const TrainOptions& options) {
  HLOCC_TRY_STATUS(check_train_options(options));
  HLOCC_TRY(const Model model, model_named(options.model));
  pin_conv_algorithm();
  const nn::Dataset train_set = padded_images(
      first_examples(nn::Dataset::fashion_mnist(nn::Dataset::Split::Train, options.data_dir),
                     options.limit),
      model.image_size);
  const nn::Dataset test_set = test_images(model, options.data_dir, options.test_limit);
  const int64_t steps = train_set.size() / options.batch;
  if (steps == 0) {
    return Error("--batch " + std::to_string(options.batch) + " exceeds the " +
                 std::to_string(train_set.size()) + " training images");
  }
  HLOCC_TRY(const nn::Schedule schedule, schedule_named(options, steps * options.epochs));
  const nn::Optimizer optimizer = optimizer_named(options.optimizer, schedule);
  TrainedState trained{
      model.visit([&](const auto& layers) { return layers.init(random::key(options.seed)); }),
      model.visit([](const auto& layers) { return layers.init_state(); }), {}};
  trained.optimizer_state = optimizer.init(trained.params);
  const auto step = jit([&](const TensorMap& p, const TensorMap& s, const nn::OptimizerState& o,
                            const Tensor& images, const Tensor& labels, const Tensor& key) {
    return model.visit([&](const auto& layers) {
      return nn::classifier_train_step(layers, optimizer, p, s, o, images, labels, key);
    });
  });
  std::printf("training %s on %lld images (%lld steps of %lld per epoch), %s\n",
              options.model.c_str(), static_cast<long long>(train_set.size()),
              static_cast<long long>(steps), static_cast<long long>(options.batch),
              optimizer_text(options).c_str());
  std::fflush(stdout);
  ProgressBar progress(std::cout, {.epochs = options.epochs, .steps_per_epoch = steps,
                                   .batch_size = options.batch, .redraw = stdout_is_terminal()});
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    progress.start_epoch(epoch + 1);
    train_epoch(step, train_set, options, epoch, trained, progress);
    progress.end_epoch(accuracy_text(test_accuracy(model, trained.params, trained.state, test_set)));
  }
  HLOCC_TRY_STATUS(write_checkpoint(options.out, options.model, trained.params, trained.state));
  std::printf("wrote %s\n", options.out.c_str());
  return ok_status();
}

// The model's name from the checkpoint's "hlocc.model" tensor (removed from `tensors`).
Result<std::string> checkpoint_model(const std::string& path, runtime::NamedLiterals& tensors) {
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    if (it->first != kModelTensor) continue;
    const HostArray bytes = tracing::to_host_array(it->second);
    if (bytes.dtype() != DType::U8 || bytes.rank() != 1) {
      return Error(path + ": tensor \"hlocc.model\" must be u8[N]; found " + bytes.shape_string());
    }
    const std::span<const uint8_t> data = bytes.data<uint8_t>();
    tensors.erase(it);
    return std::string(data.begin(), data.end());
  }
  return Error(path + ": no tensor \"hlocc.model\" naming the model\n  hint: write checkpoints "
               "with hlocc train");
}

// Checks one expected tensor against the file's and moves it into `out`.
Status take_tensor(const std::string& path, const std::string& name, const TensorSpec& expected,
                   std::map<std::string, HostArray>& found, TensorMap& out) {
  const auto it = found.find(name);
  const std::string want = shape_string(expected.dtype, expected.dims);
  if (it == found.end()) return Error(path + ": no tensor \"" + name + "\" (expected " + want + ")");
  if (it->second.dtype() != expected.dtype || it->second.dims() != expected.dims) {
    return Error(path + ": tensor \"" + name + "\" must be " + want + "; found " +
                 it->second.shape_string());
  }
  out.emplace(name, Tensor(std::move(it->second)));
  found.erase(it);
  return ok_status();
}

Status evaluate(const EvalOptions& options) {
  HLOCC_TRY(runtime::NamedLiterals tensors, runtime::read_safetensors(options.checkpoint));
  HLOCC_TRY(const std::string model_name, checkpoint_model(options.checkpoint, tensors));
  HLOCC_TRY(const Model model, model_named(model_name));
  pin_conv_algorithm();
  std::map<std::string, HostArray> found;
  for (const auto& [name, literal] : tensors) found.emplace(name, tracing::to_host_array(literal));
  TensorMap params, state;
  for (const auto& [name, spec] : model.visit([](const auto& m) { return m.param_specs(); })) {
    HLOCC_TRY_STATUS(take_tensor(options.checkpoint, name, spec, found, params));
  }
  for (const auto& [name, initial] : model.visit([](const auto& m) { return m.init_state(); })) {
    HLOCC_TRY_STATUS(
        take_tensor(options.checkpoint, name, {initial.dtype(), initial.dims()}, found, state));
  }
  if (!found.empty()) {
    return Error(options.checkpoint + ": unexpected tensor \"" + found.begin()->first +
                 "\" for model " + model_name);
  }
  const nn::Dataset test_set = test_images(model, options.data_dir, options.limit);
  std::printf("%s: %s on %lld images\n", model_name.c_str(),
              accuracy_text(test_accuracy(model, params, state, test_set)).c_str(),
              static_cast<long long>(test_set.size()));
  return ok_status();
}

// Errors returned or thrown (data loading and the public API throw) get the command's name.
template <class Options>
Status run_reporting(const char* command, Status (*body)(const Options&), const Options& options) {
  Status status = ok_status();
  try {
    status = body(options);
  } catch (const Error& error) {
    status = error;
  }
  if (status.ok()) return status;
  return Error(std::string(command) + ": " + status.error().message());
}

}  // namespace

double default_learning_rate(const std::string& optimizer) {
  return optimizer == "sgd" ? 0.05 : kAdamLearningRate;
}

Status train_command(const TrainOptions& options) { return run_reporting("train", &train, options); }

Status eval_command(const EvalOptions& options) { return run_reporting("eval", &evaluate, options); }

}  // namespace hlocc::tools
