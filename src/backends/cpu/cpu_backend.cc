#include "backends/cpu/cpu_backend.h"

#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <unordered_map>

#include "backends/cpu/llvm/jit.h"
#include "backends/cpu/program.h"
#include "backends/cpu/steps.h"
#include "ir/clone.h"
#include "ir/printer.h"
#include "passes/pass.h"

namespace hlocc::cpu {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One compiled module: owns the module copy the steps point into, the JIT code and the program.
struct CompiledModule {
  ~CompiledModule() {
    if (profiling() && program) std::cerr << "hlocc profile:\n" << program->describe();
  }
  std::unique_ptr<ir::Module> module;
  std::unique_ptr<Jit> jit;
  std::unique_ptr<CompileContext> context;
  std::unique_ptr<Program> program;
  std::mutex running;  // a Program is not reentrant
};

void flatten_leaves(const ir::Literal& literal, std::vector<void*>& leaves) {
  if (!literal.shape().is_tuple()) {
    leaves.push_back(const_cast<std::byte*>(literal.raw()));
    return;
  }
  for (const ir::Literal& element : literal.elements()) flatten_leaves(element, leaves);
}

// Builds a literal of `shape` from the leaf buffers, consuming them in order.
ir::Literal gather_result(const ir::Shape& shape, std::span<void* const> leaves, size_t& next) {
  if (!shape.is_tuple()) {
    ir::Literal literal = ir::Literal::uninitialized(shape);
    // An empty array's buffers may be null: memcpy must not see them, even for 0 bytes.
    parallel_copy(literal.raw(), leaves[next], static_cast<size_t>(literal.raw_size()));
    ++next;
    return literal;
  }
  std::vector<ir::Literal> elements;
  for (const ir::Shape& element : shape.tuple_shapes()) {
    elements.push_back(gather_result(element, leaves, next));
  }
  return ir::Literal::tuple(std::move(elements));
}

class CpuExecutable : public runtime::Executable {
 public:
  explicit CpuExecutable(std::shared_ptr<CompiledModule> compiled) : compiled_(std::move(compiled)) {}

  Result<ir::Literal> run(std::span<const ir::Literal> args) override {
    const ir::Computation& entry = *compiled_->module->entry();
    if (static_cast<int64_t>(args.size()) != entry.parameter_count()) {
      return Error("run: the module takes " + std::to_string(entry.parameter_count()) +
                   " arguments; got " + std::to_string(args.size()));
    }
    std::vector<void*> leaves;
    for (size_t i = 0; i < args.size(); ++i) {
      const ir::Shape& expected = entry.parameter(static_cast<int64_t>(i))->shape();
      if (!(args[i].shape() == expected)) {
        return Error("run: argument " + std::to_string(i) + " must be " +
                     expected.to_string(false) + "; got " + args[i].shape().to_string(false));
      }
      flatten_leaves(args[i], leaves);
    }
    std::lock_guard<std::mutex> lock(compiled_->running);
    const std::span<void* const> results = compiled_->program->run(leaves);
    size_t next = 0;
    return gather_result(entry.result_shape(), results, next);
  }

 private:
  std::shared_ptr<CompiledModule> compiled_;
};

// Writes the program and the generated LLVM IR next to the pass dumps (HLOCC_DUMP).
void dump_compiled(const CompiledModule& compiled, const std::vector<std::string>& timings) {
  const char* dir = std::getenv("HLOCC_DUMP");
  if (dir == nullptr || *dir == '\0') return;
  const std::filesystem::path prefix = std::filesystem::path(dir) / compiled.module->name();
  std::ofstream(prefix.string() + ".cpu_program.txt") << compiled.program->describe();
  std::ofstream ir(prefix.string() + ".llvm.ll");
  for (const std::string& text : compiled.jit->ir_dumps()) ir << text << "\n";
  std::ofstream times(prefix.string() + ".compile_times.txt");
  for (const std::string& line : timings) times << line << "\n";
}

class CpuBackend : public runtime::Backend {
 public:
  explicit CpuBackend(CpuOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "cpu"; }

  Result<std::unique_ptr<runtime::Executable>> compile(const ir::Module& module) override {
    // The text is the cache key: modules that print alike compile alike.
    std::string text = ir::print_module(module);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto cached = cache_.find(text);
    if (cached == cache_.end()) {
      HLOCC_TRY(std::shared_ptr<CompiledModule> compiled, compile_copy(module));
      cached = cache_.emplace(std::move(text), std::move(compiled)).first;
    }
    return std::unique_ptr<runtime::Executable>(new CpuExecutable(cached->second));
  }

 private:
  // Compiles a copy of `module`: the passes rewrite it, and the caller keeps its own.
  Result<std::shared_ptr<CompiledModule>> compile_copy(const ir::Module& module) {
    auto compiled = std::make_shared<CompiledModule>();
    std::vector<std::string> timings;
    Clock::time_point start = Clock::now();
    compiled->module = ir::clone_module(module);
    HLOCC_TRY_STATUS(passes::run_passes(*compiled->module, options_.passes));
    timings.push_back("passes " + std::to_string(seconds_since(start)) + " s");
    start = Clock::now();
    compiled->context = std::make_unique<CompileContext>();
    compiled->context->dnn = options_.dnn;
    compiled->context->threads = options_.threads;
    HLOCC_TRY(compiled->program, Program::compile(*compiled->module->entry(), *compiled->context,
                                                  /*own_results=*/false));
    timings.push_back("program and oneDNN primitives " + std::to_string(seconds_since(start)) + " s");
    start = Clock::now();
    HLOCC_TRY(compiled->jit, Jit::create());
    HLOCC_TRY_STATUS(compiled->context->compile_kernels(*compiled->jit));
    timings.push_back("llvm " + std::to_string(seconds_since(start)) + " s");
    dump_compiled(*compiled, timings);
    return compiled;
  }

  CpuOptions options_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<CompiledModule>> cache_;
};

Result<int> threads_from_environment(int threads) {
  if (threads > 0) return threads;
  const char* text = std::getenv("HLOCC_NUM_THREADS");
  if (text == nullptr || *text == '\0') return omp_get_num_procs();
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 4096) {
    return Error(std::string("HLOCC_NUM_THREADS must be a positive integer; got \"") + text +
                 "\"");
  }
  return static_cast<int>(value);
}

}  // namespace

Result<CpuOptions> cpu_options_from_environment(CpuOptions options) {
  HLOCC_TRY(options.threads, threads_from_environment(options.threads));
  if (const char* passes = std::getenv("HLOCC_PASSES"); passes != nullptr && *passes != '\0') {
    options.passes.clear();
    std::string_view rest = passes;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      options.passes.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (const char* precision = std::getenv("HLOCC_MATMUL_PRECISION")) {
    const std::string value = precision;
    if (value == "bf16") {
      options.dnn.precision = MatmulPrecision::BF16;
    } else if (value == "f32" || value.empty()) {
      options.dnn.precision = MatmulPrecision::F32;
    } else {
      return Error("HLOCC_MATMUL_PRECISION must be f32 or bf16; got \"" + value + "\"");
    }
  }
  if (const char* algorithm = std::getenv("HLOCC_CONV_ALGORITHM")) {
    const std::string value = algorithm;
    if (value == "autotune" || value.empty()) {
      options.dnn.conv_algorithm = ConvAlgorithm::Autotune;
    } else if (value == "direct") {
      options.dnn.conv_algorithm = ConvAlgorithm::Direct;
    } else if (value == "winograd") {
      options.dnn.conv_algorithm = ConvAlgorithm::Winograd;
    } else {
      return Error("HLOCC_CONV_ALGORITHM must be autotune, direct or winograd; got \"" + value +
                   "\"");
    }
  }
  return options;
}

std::unique_ptr<runtime::Backend> make_cpu_backend(CpuOptions options) {
  if (options.threads <= 0) options.threads = omp_get_num_procs();
  omp_set_num_threads(options.threads);
  return std::make_unique<CpuBackend>(std::move(options));
}

}  // namespace hlocc::cpu
