// The `hlocc` subcommands. Each returns OK or the user error to print; main.cc owns exit codes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::tools {

/// Reads HLO text from `path` ("-" for stdin) and parses it; verifies it too when `verify` is set.
Result<std::unique_ptr<ir::Module>> load_module(const std::string& path, bool verify);

/// `hlocc fmt FILE`: prints the module in canonical text.
Status fmt_command(const std::string& path);

/// `hlocc check FILE`: parses and verifies, prints "ok".
Status check_command(const std::string& path);

/// `hlocc grad FILE [--wrt 0,2]`: prints the module returning (value, gradients with respect to
/// the chosen parameters) of a module whose result is an f32/f64 scalar.
Status grad_command(const std::string& path, const std::vector<int64_t>& wrt);

/// `hlocc opt FILE [--passes inline,cse,dce]`: runs the passes and prints the optimized module.
Status opt_command(const std::string& path, const std::vector<std::string>& passes);

/// `hlocc stats FILE [--passes ...]`: prints a table of instruction counts by opcode (over all
/// computations) before and after the passes.
Status stats_command(const std::string& path, const std::vector<std::string>& passes);

/// The models `hlocc stats` builds instead of reading a file: vgg11, vgg13, vgg16, vgg19.
bool is_model_name(const std::string& name);

struct ModelStatsOptions {
  std::string model;  // a model name (is_model_name)
  std::vector<std::string> passes;
  bool backward = false;  // also the training gradient, beside the forward program
  int64_t batch = 2;
};

/// `hlocc stats vgg19 [--backward] [--batch N]`: traces the model's forward program (and with
/// `backward` its training gradient; neither is run) and prints the stats table of each.
Status model_stats_command(const ModelStatsOptions& options);

struct BenchOptions {
  std::string model;  // a model name (is_model_name)
  int64_t batch = 10;
  bool backward = false;  // a training step (forward, loss, gradient, SGD update) instead
  int repeats = 5;
  int warmup = 2;
  std::string backend = "cpu";
  std::string weights;  // safetensors with torchvision's names; empty: He-uniform random
  std::string input;    // images .npy; empty: uniform random in [0, 1)
  std::string out;      // write the logits here (.npy; with backward, those before the update)
  std::string labels;   // backward: labels .npy (integers, [batch]); empty: fixed labels
  std::string out_weights;  // backward: write the updated weights here (safetensors)
  double lr = 0.01;         // backward: SGD's learning rate (momentum 0.9, weight decay 5e-4)
};

/// `hlocc bench vgg19 [--batch N] [--backward]`: compiles and times the model on a backend; with
/// `backward`, one training step as torch.optim.SGD(lr, momentum=0.9, weight_decay=5e-4) takes it
/// (the model in eval mode: no dropout), one compiled program.
Status bench_command(const BenchOptions& options);

struct RunOptions {
  std::string path;
  std::vector<std::string> args;  // "N=FILE.npy": entry parameter N from a .npy file
  std::optional<uint64_t> seed;   // random values for the parameters not given by args
  std::string out_dir;            // where to write result*.npy; empty for none
  std::string backend = "reference";
  std::string dump_dir;  // sets HLOCC_DUMP for this run
  int64_t max_while_trips = -1;  // -1: unbounded
};

/// `hlocc run FILE`: evaluates the entry computation and prints each result.
Status run_command(const RunOptions& options);

/// The default learning rate of adam and adamw under `hlocc train` (a cosine schedule from it:
/// small-cnn reaches 91-92% on Fashion-MNIST in 5 epochs).
inline constexpr double kAdamLearningRate = 2e-3;

struct TrainOptions {
  std::string dataset;              // "fashion-mnist"
  std::string model = "small-cnn";  // small-cnn, mlp or vgg11-cifar
  int64_t epochs = 5;
  int64_t batch = 128;
  std::string optimizer = "adam";    // adam, sgd or adamw
  std::optional<double> lr;          // empty: default_learning_rate(optimizer)
  std::string schedule = "cosine";   // constant, or cosine decay to 0 over all the steps
  int64_t warmup = 0;                // steps of linear warmup from lr / 3 (0: none)
  uint64_t seed = 0;                 // init key, dropout keys and shuffling
  std::string out = "model.safetensors";
  std::string data_dir;    // empty: nn::fashion_mnist_dir's default
  int64_t limit = 0;       // train on the first N images only (0: all)
  int64_t test_limit = 0;  // test on the first N images only (0: all)
};

/// The learning rate `hlocc train` uses without --lr: 0.05 for sgd (momentum 0.9),
/// kAdamLearningRate for adam and adamw.
double default_learning_rate(const std::string& optimizer);

/// `hlocc train fashion-mnist`: trains with one jitted program per step, prints progress and the
/// test accuracy after each epoch, and writes the parameters, state and model name to `out`.
Status train_command(const TrainOptions& options);

struct EvalOptions {
  std::string checkpoint;  // written by `hlocc train`
  std::string data_dir;
  int64_t limit = 0;  // the first N test images only (0: all)
};

/// `hlocc eval CHECKPOINT`: checks every tensor against the model it names and prints the test
/// accuracy.
Status eval_command(const EvalOptions& options);

}  // namespace hlocc::tools
