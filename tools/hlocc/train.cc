// `hlocc train fashion-mnist` and `hlocc eval CHECKPOINT`: the end-to-end training workload. Each
// step is one jitted program (forward, loss, gradient, optimizer update); after each epoch a
// jitted eval forward measures test accuracy. The checkpoint is a safetensors file with the
// Sequential's PyTorch-style names, plus a u8 tensor "hlocc.model" holding the model's name so
// that `eval` can rebuild the model without being told which one it is.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <numeric>
#include <span>

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
constexpr int64_t kEvalBatch = 500;  // divides Fashion-MNIST's 10000 test images: one trace

Result<nn::Sequential> model_named(const std::string& name) {
  if (name == "small-cnn") return nn::fashion_mnist_cnn(nn::kFashionMnistClasses);
  if (name == "mlp") return nn::mlp(28 * 28, {256, 128}, nn::kFashionMnistClasses);
  return Error("unknown model '" + name + "'\n  hint: models are small-cnn and mlp");
}

// Default learning rates are the usual ones for each rule on this task; --lr overrides them.
nn::Optimizer optimizer_named(const std::string& name, std::optional<double> lr) {
  if (name == "sgd") return nn::sgd({.lr = lr.value_or(0.05), .momentum = 0.9});
  if (name == "adamw") return nn::adamw({.lr = lr.value_or(1e-3), .weight_decay = 0.01});
  return nn::adam({.lr = lr.value_or(1e-3)});
}

// The first `limit` examples (all of them when limit <= 0 or beyond the size).
nn::Dataset first_examples(nn::Dataset dataset, int64_t limit) {
  if (limit <= 0 || limit >= dataset.size()) return dataset;
  std::vector<int64_t> indices(static_cast<size_t>(limit));
  std::iota(indices.begin(), indices.end(), 0);
  nn::Batch batch = dataset.gather(indices);
  return nn::Dataset(std::move(batch.images), std::move(batch.labels));
}

// Percent of `test` that the model classifies correctly, by a jitted eval forward per batch.
double test_accuracy(const nn::Sequential& model, const TensorMap& params, const TensorMap& state,
                     const nn::Dataset& test) {
  const auto correct = jit([&](const TensorMap& p, const TensorMap& s, const Tensor& images,
                               const Tensor& labels) {
    const Tensor predicted = argmax(model(p, s, images), 1);
    return sum(astype(equal(predicted, labels), DType::S32));
  });
  nn::BatchLoader loader(test, {.batch_size = kEvalBatch, .shuffle = false});
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
  return ok_status();
}

Status train(const TrainOptions& options) {
  HLOCC_TRY_STATUS(check_train_options(options));
  HLOCC_TRY(const nn::Sequential model, model_named(options.model));
  const nn::Optimizer optimizer = optimizer_named(options.optimizer, options.lr);
  const nn::Dataset train_set = first_examples(
      nn::Dataset::fashion_mnist(nn::Dataset::Split::Train, options.data_dir), options.limit);
  const nn::Dataset test_set = nn::Dataset::fashion_mnist(nn::Dataset::Split::Test, options.data_dir);
  const int64_t steps = train_set.size() / options.batch;
  if (steps == 0) {
    return Error("--batch " + std::to_string(options.batch) + " exceeds the " +
                 std::to_string(train_set.size()) + " training images");
  }
  TrainedState trained{model.init(random::key(options.seed)), model.init_state(), {}};
  trained.optimizer_state = optimizer.init(trained.params);
  const auto step = jit([&](const TensorMap& p, const TensorMap& s, const nn::OptimizerState& o,
                            const Tensor& images, const Tensor& labels, const Tensor& key) {
    return nn::classifier_train_step(model, optimizer, p, s, o, images, labels, key);
  });
  std::printf("training %s on %lld images (%lld steps of %lld per epoch), %s\n",
              options.model.c_str(), static_cast<long long>(train_set.size()),
              static_cast<long long>(steps), static_cast<long long>(options.batch),
              options.optimizer.c_str());
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
  HLOCC_TRY(const nn::Sequential model, model_named(model_name));
  std::map<std::string, HostArray> found;
  for (const auto& [name, literal] : tensors) found.emplace(name, tracing::to_host_array(literal));
  TensorMap params, state;
  for (const auto& [name, spec] : model.param_specs()) {
    HLOCC_TRY_STATUS(take_tensor(options.checkpoint, name, spec, found, params));
  }
  for (const auto& [name, initial] : model.init_state()) {
    HLOCC_TRY_STATUS(
        take_tensor(options.checkpoint, name, {initial.dtype(), initial.dims()}, found, state));
  }
  if (!found.empty()) {
    return Error(options.checkpoint + ": unexpected tensor \"" + found.begin()->first +
                 "\" for model " + model_name);
  }
  const nn::Dataset test_set = nn::Dataset::fashion_mnist(nn::Dataset::Split::Test, options.data_dir);
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

Status train_command(const TrainOptions& options) { return run_reporting("train", &train, options); }

Status eval_command(const EvalOptions& options) { return run_reporting("eval", &evaluate, options); }

}  // namespace hlocc::tools
