// `hlocc run`: gathers the entry computation's arguments (.npy files or seeded random values),
// evaluates the module on the reference backend and prints (and optionally writes) each result.
#include <filesystem>
#include <iostream>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/evaluator.h"
#include "commands.h"
#include "random_literal.h"
#include "runtime/npy.h"
#include "summary.h"

namespace hlocc::tools {
namespace {

// "N=PATH" -> {N, PATH}.
Result<std::pair<int64_t, std::string>> parse_arg_spec(const std::string& spec) {
  const size_t equals = spec.find('=');
  const std::string number = spec.substr(0, equals);
  const bool digits = !number.empty() && number.size() < 10 &&
                      number.find_first_not_of("0123456789") == std::string::npos;
  if (equals == std::string::npos || !digits || equals + 1 == spec.size()) {
    return Error("--arg " + spec + ": expected PARAMETER_NUMBER=FILE.npy, e.g. --arg 0=x.npy");
  }
  return std::pair{static_cast<int64_t>(std::stoll(number)), spec.substr(equals + 1)};
}

std::string describe_parameter(const ir::Computation& entry, int64_t i) {
  const ir::Instruction& parameter = *entry.parameter(i);
  return "parameter " + std::to_string(i) + " (" + parameter.name() + ": " +
         parameter.shape().to_string(false) + ")";
}

// Reads every --arg into its parameter slot, checking numbers and shapes.
Status read_arg_files(const ir::Computation& entry, const std::vector<std::string>& specs,
                      std::vector<std::optional<ir::Literal>>& slots) {
  for (const std::string& spec : specs) {
    HLOCC_TRY(const auto parsed, parse_arg_spec(spec));
    const auto& [number, path] = parsed;
    if (number >= entry.parameter_count()) {
      return Error("--arg " + spec + ": the entry computation has " +
                   std::to_string(entry.parameter_count()) + " parameters");
    }
    auto& slot = slots[static_cast<size_t>(number)];
    if (slot)
      return Error("--arg " + spec + ": parameter " + std::to_string(number) + " given twice");
    HLOCC_TRY(ir::Literal value, runtime::read_npy(path));
    if (!(value.shape() == entry.parameter(number)->shape())) {
      return Error("--arg " + spec + ": the file holds " + value.shape().to_string(false) +
                   " but " + describe_parameter(entry, number) + " needs that shape");
    }
    slot = std::move(value);
  }
  return ok_status();
}

Result<std::vector<ir::Literal>> gather_arguments(const ir::Computation& entry,
                                                  const RunOptions& options) {
  std::vector<std::optional<ir::Literal>> slots(static_cast<size_t>(entry.parameter_count()));
  HLOCC_TRY_STATUS(read_arg_files(entry, options.args, slots));
  std::vector<ir::Literal> arguments;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    auto& slot = slots[static_cast<size_t>(i)];
    if (slot) {
      arguments.push_back(std::move(*slot));
    } else if (options.seed) {
      const uint64_t seed = derive_seed(*options.seed, static_cast<uint64_t>(i));
      arguments.push_back(random_literal(entry.parameter(i)->shape(), seed));
    } else {
      return Error(describe_parameter(entry, i) + " has no value\n  hint: pass --arg " +
                   std::to_string(i) + "=FILE.npy, or --random SEED for random inputs");
    }
  }
  return arguments;
}

// Prints one result (recursing into tuples) and writes it under out_dir when asked.
// `suffix` numbers tuple elements: "" for the whole result, "_1_0" for element 0 of element 1.
Status emit_result(const ir::Literal& result, const std::string& suffix,
                   const RunOptions& options) {
  if (result.shape().is_tuple()) {
    for (int64_t i = 0; i < result.shape().tuple_size(); ++i) {
      HLOCC_TRY_STATUS(emit_result(result.element(i), suffix + "_" + std::to_string(i), options));
    }
    if (result.shape().tuple_size() == 0) std::cout << "result" << suffix << ": ()\n";
    return ok_status();
  }
  std::cout << "result" << suffix << ": " << summarize(result) << "\n";
  if (options.out_dir.empty() || !result.shape().is_array()) return ok_status();
  const std::string path =
      (std::filesystem::path(options.out_dir) / ("result" + suffix + ".npy")).string();
  HLOCC_TRY_STATUS(runtime::write_npy(path, result));
  const bool widened = result.shape().dtype() == ir::DType::BF16;
  std::cout << "  wrote " << path << (widened ? " (bf16 widened to float32)" : "") << "\n";
  return ok_status();
}

Status make_out_dir(const std::string& out_dir) {
  if (out_dir.empty()) return ok_status();
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return Error(out_dir + ": cannot create directory: " + error.message());
  return ok_status();
}

}  // namespace

Result<ir::Literal> run_on_backend(const ir::Module& module,
                                   const std::vector<ir::Literal>& arguments,
                                   const RunOptions& options) {
  if (options.backend == "cpu") {
    HLOCC_TRY(const cpu::CpuOptions cpu_options, cpu::cpu_options_from_environment());
    const std::unique_ptr<runtime::Backend> backend = cpu::make_cpu_backend(cpu_options);
    HLOCC_TRY(const std::unique_ptr<runtime::Executable> executable, backend->compile(module));
    return executable->run(arguments);
  }
  if (options.backend != "reference") {
    return Error("unknown backend '" + options.backend + "'; available: cpu, reference");
  }
  reference::EvalOptions eval_options;
  eval_options.max_while_trips = options.max_while_trips;
  return reference::evaluate(module, arguments, eval_options);
}

Status run_command(const RunOptions& options) {
  if (!options.dump_dir.empty()) {
    std::filesystem::create_directories(options.dump_dir);
    setenv("HLOCC_DUMP", options.dump_dir.c_str(), /*overwrite=*/1);
  }
  HLOCC_TRY(const std::unique_ptr<ir::Module> module, load_module(options.path, /*verify=*/true));
  HLOCC_TRY(const std::vector<ir::Literal> arguments, gather_arguments(*module->entry(), options));
  HLOCC_TRY_STATUS(make_out_dir(options.out_dir));
  HLOCC_TRY(const ir::Literal result, run_on_backend(*module, arguments, options));
  return emit_result(result, "", options);
}

}  // namespace hlocc::tools
