// The `hlocc` command line: subcommands run, fmt, check, grad, opt, stats, bench, train and eval. Exit codes: 0 success,
// 2 bad input (one "hlocc: error: ..." message, plus its "  at"/"  hint" lines), never a crash on
// user input.
#include <CLI/CLI.hpp>
#include <cctype>
#include <iostream>
#include <new>

#include "commands.h"

namespace {

using hlocc::Status;

constexpr int kBadInput = 2;

struct Commands {
  CLI::App* run = nullptr;
  CLI::App* fmt = nullptr;
  CLI::App* check = nullptr;
  CLI::App* grad = nullptr;
  CLI::App* opt = nullptr;
  CLI::App* stats = nullptr;
  std::vector<int64_t> wrt;
  std::vector<std::string> passes = {"inline", "simplify", "fold", "cse", "dce"};
  CLI::Option* seed = nullptr;
  bool with_backward = false;
  CLI::Option* batch = nullptr;
  int64_t batch_size = 2;
  hlocc::tools::RunOptions run_options;
  CLI::App* bench = nullptr;
  hlocc::tools::BenchOptions bench_options;
  uint64_t seed_value = 0;
  std::string path;
  CLI::App* train = nullptr;
  hlocc::tools::TrainOptions train_options;
  CLI::Option* lr = nullptr;
  double lr_value = 0;
  CLI::App* eval = nullptr;
  hlocc::tools::EvalOptions eval_options;
};

void add_train_commands(CLI::App& app, Commands& commands) {
  const char* const data_help = "Folder of the Fashion-MNIST .gz files (default: "
                                "$HLOCC_FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist)";
  commands.train = app.add_subcommand("train", "Train a model on a dataset (fashion-mnist)");
  auto& train = commands.train_options;
  commands.train->add_option("dataset", train.dataset, "fashion-mnist")
      ->required()
      ->check(CLI::IsMember({"fashion-mnist"}));
  commands.train->add_option("--model", train.model, "small-cnn, mlp or vgg11-cifar")
      ->check(CLI::IsMember({"small-cnn", "mlp", "vgg11-cifar"}))
      ->capture_default_str();
  commands.train->add_option("--epochs", train.epochs, "Passes over the data")->capture_default_str();
  commands.train->add_option("--batch", train.batch, "Images per step")->capture_default_str();
  commands.train->add_option("--optimizer", train.optimizer, "adam, sgd or adamw")
      ->check(CLI::IsMember({"adam", "sgd", "adamw"}))
      ->capture_default_str();
  commands.lr = commands.train->add_option(
      "--lr", commands.lr_value, "Learning rate (default: 2e-3 for adam/adamw, 0.05 for sgd)");
  commands.train->add_option("--schedule", train.schedule,
                             "Learning rate schedule: constant, or cosine decay to 0")
      ->check(CLI::IsMember({"constant", "cosine"}))
      ->capture_default_str();
  commands.train->add_option("--warmup", train.warmup, "Steps of linear warmup from lr / 3")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  commands.train->add_option("--seed", train.seed, "Init, dropout and shuffling seed")
      ->capture_default_str();
  commands.train->add_option("--out", train.out, "Checkpoint to write (safetensors)")
      ->capture_default_str();
  commands.train->add_option("--data", train.data_dir, data_help);
  commands.train->add_option("--limit", train.limit, "Train on the first N images only (0: all)")
      ->check(CLI::NonNegativeNumber);
  commands.train->add_option("--test-limit", train.test_limit,
                             "Test on the first N images only (0: all)")
      ->check(CLI::NonNegativeNumber);
  commands.eval = app.add_subcommand("eval", "Print a checkpoint's test accuracy");
  commands.eval->add_option("checkpoint", commands.eval_options.checkpoint,
                            "safetensors file written by hlocc train")
      ->required();
  commands.eval->add_option("--data", commands.eval_options.data_dir, data_help);
  commands.eval->add_option("--limit", commands.eval_options.limit,
                            "Test on the first N images only (0: all)")
      ->check(CLI::NonNegativeNumber);
}

void add_commands(CLI::App& app, Commands& commands) {
  const char* const file_help = "HLO text file ('-' reads standard input)";
  commands.run = app.add_subcommand("run", "Evaluate a module and print its results");
  auto& options = commands.run_options;
  commands.run->add_option("file", options.path, file_help)->required();
  commands.run->add_option("--arg", options.args, "Parameter from a .npy file: N=FILE.npy")
      ->expected(1)  // one value per --arg, so a FILE after it stays positional
      ->take_all();
  commands.seed = commands.run->add_option("--random", commands.seed_value,
                                           "Seed for random values of parameters without --arg");
  commands.run->add_option("--out", options.out_dir, "Write result.npy (result_N.npy) here");
  commands.run->add_option("--backend", options.backend, "Where to run: cpu or reference")
      ->check(CLI::IsMember({"cpu", "reference"}))
      ->capture_default_str();
  commands.run->add_option("--dump", options.dump_dir,
                           "Write the HLO after every pass, the program, the LLVM IR and the "
                           "compile times here (as HLOCC_DUMP=DIR)");
  commands.run
      ->add_option("--max-while-trips", options.max_while_trips,
                   "Fail when a while loop runs more often than this (-1: no bound)")
      ->capture_default_str();
  commands.fmt = app.add_subcommand("fmt", "Print a module in canonical HLO text");
  commands.fmt->add_option("file", commands.path, file_help)->required();
  commands.check = app.add_subcommand("check", "Parse and verify a module; print ok");
  commands.check->add_option("file", commands.path, file_help)->required();
  commands.grad = app.add_subcommand(
      "grad", "Print the module computing the value and gradients of a scalar-valued module");
  commands.grad->add_option("file", commands.path, file_help)->required();
  commands.grad
      ->add_option("--wrt", commands.wrt, "Parameters to differentiate, e.g. 0,2 (default: all)")
      ->delimiter(',');
  const char* const passes_help = "Passes to run, in order (default: inline,simplify,fold,cse,dce)";
  commands.opt = app.add_subcommand("opt", "Run compiler passes and print the optimized module");
  commands.opt->add_option("file", commands.path, file_help)->required();
  commands.opt->add_option("--passes", commands.passes, passes_help)->delimiter(',');
  commands.stats = app.add_subcommand(
      "stats", "Print instruction counts by opcode before and after compiler passes");
  commands.stats
      ->add_option("file", commands.path,
                   std::string(file_help) + ", or a model to trace: vgg11, vgg13, vgg16, vgg19")
      ->required();
  commands.stats->add_option("--passes", commands.passes, passes_help)->delimiter(',');
  commands.stats->add_flag("--backward", commands.with_backward,
                           "With a model: its training gradient too, beside the forward program");
  commands.batch =
      commands.stats->add_option("--batch", commands.batch_size, "With a model: the batch size")
          ->capture_default_str();
  commands.bench = app.add_subcommand("bench", "Compile a model and time it (vgg11 ... vgg19)");
  auto& bench = commands.bench_options;
  commands.bench->add_option("model", bench.model, "vgg11, vgg13, vgg16 or vgg19")->required();
  commands.bench->add_option("--batch", bench.batch, "Images per batch")->capture_default_str();
  commands.bench->add_flag("--backward", bench.backward,
                           "Time a training step instead: forward, loss, gradient and "
                           "torch.optim.SGD(lr, momentum=0.9, weight_decay=5e-4)'s update, one "
                           "program (eval mode: no dropout)");
  commands.bench->add_option("--repeats", bench.repeats, "Timed runs")->capture_default_str();
  commands.bench->add_option("--warmup", bench.warmup, "Untimed runs first")->capture_default_str();
  commands.bench->add_option("--backend", bench.backend, "cpu or reference")
      ->check(CLI::IsMember({"cpu", "reference"}))
      ->capture_default_str();
  commands.bench->add_option("--weights", bench.weights,
                             "safetensors file with torchvision's parameter names");
  commands.bench->add_option("--input", bench.input, "Images as .npy (f32[batch,3,224,224])");
  commands.bench->add_option("--out", bench.out,
                             "Write the logits here (.npy); with --backward those of the step's "
                             "forward pass, before the update (the loss is printed)");
  commands.bench->add_option("--labels", bench.labels,
                             "With --backward: labels as .npy (integers, [batch]; default: fixed "
                             "labels)");
  commands.bench->add_option("--out-weights", bench.out_weights,
                             "With --backward: write the updated weights here (safetensors, "
                             "torchvision's names)");
  commands.bench->add_option("--lr", bench.lr, "With --backward: SGD's learning rate")
      ->capture_default_str();
  add_train_commands(app, commands);
  app.require_subcommand(1);
}

// `stats` reads a file, or builds a model's programs when the path is a model's name.
Status stats(const Commands& commands) {
  if (hlocc::tools::is_model_name(commands.path)) {
    return hlocc::tools::model_stats_command(
        {commands.path, commands.passes, commands.with_backward, commands.batch_size});
  }
  if (commands.with_backward || commands.batch->count() > 0) {
    return hlocc::Error(
        "stats: --backward and --batch need a model (vgg11, vgg13, vgg16, vgg19); got '" +
        commands.path + "'");
  }
  return hlocc::tools::stats_command(commands.path, commands.passes);
}

Status dispatch(Commands& commands) {
  if (commands.run->parsed()) {
    if (commands.seed->count() > 0) commands.run_options.seed = commands.seed_value;
    return hlocc::tools::run_command(commands.run_options);
  }
  if (commands.fmt->parsed()) return hlocc::tools::fmt_command(commands.path);
  if (commands.grad->parsed()) return hlocc::tools::grad_command(commands.path, commands.wrt);
  if (commands.opt->parsed()) return hlocc::tools::opt_command(commands.path, commands.passes);
  if (commands.stats->parsed()) return stats(commands);
  if (commands.bench->parsed()) return hlocc::tools::bench_command(commands.bench_options);
  if (commands.train->parsed()) {
    if (commands.lr->count() > 0) commands.train_options.lr = commands.lr_value;
    return hlocc::tools::train_command(commands.train_options);
  }
  if (commands.eval->parsed()) return hlocc::tools::eval_command(commands.eval_options);
  return hlocc::tools::check_command(commands.path);
}

int report(const std::string& message) {
  std::cout.flush();
  std::cerr << "hlocc: error: " << message << "\n";
  return kBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("hlocc: an HLO compiler. Runs, formats and checks modules in XLA's HLO text.",
               "hlocc");
  Commands commands;
  add_commands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help
    std::string message = error.what();
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));  // house style
    return report(message + " (see hlocc --help)");
  }
  try {
    const Status status = dispatch(commands);
    if (!status.ok()) return report(status.error().message());
  } catch (const std::bad_alloc&) {
    return report("out of memory (are the module's shapes larger than this machine's memory?)");
  }
  return 0;
}
