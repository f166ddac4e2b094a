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
  bool backward = false;  // the training gradient instead of the forward pass
  int repeats = 5;
  int warmup = 2;
  std::string backend = "cpu";
  std::string weights;  // safetensors with torchvision's names; empty: He-uniform random
  std::string input;    // images .npy; empty: uniform random in [0, 1)
  std::string out;      // write the logits (forward) or the first gradient here (.npy)
};

/// `hlocc bench vgg19 [--batch N] [--backward]`: compiles and times the model on a backend.
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

struct TrainOptions {
  std::string dataset;              // "fashion-mnist"
  std::string model = "small-cnn";  // small-cnn or mlp
  int64_t epochs = 3;
  int64_t batch = 128;
  std::string optimizer = "adam";  // adam, sgd or adamw
  std::optional<double> lr;        // empty: the optimizer's default
  uint64_t seed = 0;               // init key, dropout keys and shuffling
  std::string out = "model.safetensors";
  std::string data_dir;  // empty: nn::fashion_mnist_dir's default
  int64_t limit = 0;     // train on the first N images only (0: all)
};

/// `hlocc train fashion-mnist`: trains with one jitted program per step, prints progress and the
/// test accuracy after each epoch, and writes the parameters, state and model name to `out`.
Status train_command(const TrainOptions& options);

struct EvalOptions {
  std::string checkpoint;  // written by `hlocc train`
  std::string data_dir;
};

/// `hlocc eval CHECKPOINT`: checks every tensor against the model it names and prints the test
/// accuracy.
Status eval_command(const EvalOptions& options);

}  // namespace hlocc::tools
