// The ORC JIT: one LLVM module per compile() call, optimised at O3 for the host CPU (the loop
// vectorizer with libmvec's vector math), compiled into its own JITDylib so symbol names only
// need to be unique within a call. Kernels stay valid while the Jit lives.
#include "backends/cpu/llvm/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "backends/cpu/llvm/emitter.h"

namespace hlocc::cpu {

struct Jit::Impl {
  JitOptions options;
  bool keep_ir = false;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::optional<llvm::orc::JITTargetMachineBuilder> machine_builder;  // one machine per thread
  detail::VectorLibrary vector_library;
  std::vector<std::string> dumps;
  double last_seconds = 0;
  int64_t compile_count = 0;
};

namespace {

Error llvm_error(const std::string& what, llvm::Error error) {
  return Error("cpu jit: " + what + ": " + llvm::toString(std::move(error)));
}

// libmvec's variants of the libm functions the emitter calls, for the ISAs this CPU has
// (b: SSE4, d: AVX2, e: AVX-512), kept only if the symbol resolves in this process.
detail::VectorLibrary find_vector_library() {
  llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1");
  const llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  const auto has = [&](const char* feature) {
    const auto found = features.find(feature);
    return found != features.end() && found->second;
  };
  struct Isa {
    char letter;
    int float_lanes;
    bool available;
  };
  const Isa isas[] = {{'b', 4, has("sse4.1")}, {'d', 8, has("avx2")}, {'e', 16, has("avx512f")}};
  const std::pair<const char*, int> functions[] = {
      {"exp", 1}, {"expm1", 1}, {"log", 1},  {"log1p", 1}, {"sin", 1}, {"cos", 1},
      {"tan", 1}, {"tanh", 1},  {"cbrt", 1}, {"atan2", 2}, {"pow", 2}};
  detail::VectorLibrary library;
  for (const auto& [name, arity] : functions) {
    for (const bool is_float : {true, false}) {
      const std::string scalar = std::string(name) + (is_float ? "f" : "");
      for (const Isa& isa : isas) {
        const int lanes = is_float ? isa.float_lanes : isa.float_lanes / 2;
        const std::string vector = std::string("_ZGV") + isa.letter + "N" + std::to_string(lanes) +
                                   std::string(static_cast<size_t>(arity), 'v') + "_" + scalar;
        if (isa.available && llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(vector)) {
          library.push_back({scalar, vector, lanes});
        }
      }
    }
  }
  return library;
}

void optimize(llvm::Module& module, llvm::TargetMachine& target_machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  tuning.LoopInterleaving = false;
  llvm::PassBuilder builder(&target_machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, modules);
}

}  // namespace

Jit::Jit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Jit::~Jit() = default;

Result<std::unique_ptr<Jit>> Jit::create(JitOptions options) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->keep_ir = options.keep_ir.value_or(std::getenv("HLOCC_DUMP") != nullptr);
  impl->vector_library = find_vector_library();
  auto machine_builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine_builder) return llvm_error("host detection", machine_builder.takeError());
  machine_builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  impl->machine_builder = *machine_builder;
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*machine_builder).create();
  if (!jit) return llvm_error("creating the JIT", jit.takeError());
  impl->jit = std::move(*jit);
  // libm, libgcc's complex helpers and libmvec (loaded above) come from this process.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      impl->jit->getDataLayout().getGlobalPrefix());
  if (!process) return llvm_error("process symbols", process.takeError());
  impl->jit->getMainJITDylib().addGenerator(std::move(*process));
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

const std::vector<std::string>& Jit::ir_dumps() const { return impl_->dumps; }
double Jit::last_compile_seconds() const { return impl_->last_seconds; }

namespace {

// One share of a compile() call: its own context and module, emitted, optimised and turned into
// an object file on its own thread (LLVM contexts and target machines are not shared between
// threads).
struct ModulePart {
  std::vector<size_t> requests;  // indices into the call's requests
  std::vector<detail::LoopShape> shapes;
  std::unique_ptr<llvm::MemoryBuffer> object;
  std::string ir;
  std::optional<Error> error;
  double emit_ms = 0, optimise_ms = 0, codegen_ms = 0;
};

double ms_since(std::chrono::steady_clock::time_point& from) {
  const auto now = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - from).count();
  from = now;
  return ms;
}

void build_part(ModulePart& part, std::span<const KernelRequest> requests,
                const Jit::Impl& impl, const llvm::DataLayout& layout,
                const std::string& triple) {
  auto clock = std::chrono::steady_clock::now();
  llvm::LLVMContext context;
  // Remarks and warnings (a loop marked for vectorisation that could not be, because of a call
  // without vector variant) are not the user's business; invalid IR is caught by the verifier.
  context.setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  llvm::Module module("hlocc_kernels", context);
  module.setDataLayout(layout);
  module.setTargetTriple(triple);
  detail::IrEmitter emitter(module, impl.vector_library);
  for (const size_t i : part.requests) {
    const KernelRequest& request = requests[i];
    if (request.kind == KernelRequest::Kind::Loop) {
      Result<detail::LoopShape> shape = emitter.emit_loop_kernel(
          *request.computation, request.name, impl.options.flat_row_elements);
      if (!shape.ok()) return void(part.error = shape.error());
      part.shapes.push_back(*shape);
    } else {
      if (Status status = emitter.emit_scalar_function(*request.computation, request.name);
          !status.ok()) {
        return void(part.error = status.error());
      }
      part.shapes.emplace_back();
    }
  }
  std::string problems;
  llvm::raw_string_ostream problem_stream(problems);
  HLOCC_CHECK(!llvm::verifyModule(module, &problem_stream)) << "cpu jit emitted invalid IR:\n"
                                                            << problems;
  part.emit_ms = ms_since(clock);
  auto machine = llvm::orc::JITTargetMachineBuilder(*impl.machine_builder).createTargetMachine();
  if (!machine) return void(part.error = llvm_error("target machine", machine.takeError()));
  optimize(module, **machine);
  if (impl.keep_ir) llvm::raw_string_ostream(part.ir) << module;
  part.optimise_ms = ms_since(clock);  // IR printing counts as optimising
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, stream, nullptr,
                                      llvm::CodeGenFileType::ObjectFile)) {
    return void(part.error = Error("cpu jit: this target cannot emit object files"));
  }
  codegen.run(module);
  part.object = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object.data(), object.size()),
                                                     "hlocc_kernels");
  part.codegen_ms = ms_since(clock);
}

}  // namespace

Result<std::vector<CompiledKernel>> Jit::compile(std::span<const KernelRequest> requests) {
  const auto start = std::chrono::steady_clock::now();
  // The kernels are independent: the cores compile shares of them side by side.
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<ModulePart> parts(std::max<size_t>(1, std::min(threads, requests.size())));
  for (size_t i = 0; i < requests.size(); ++i) parts[i % parts.size()].requests.push_back(i);
  const llvm::DataLayout layout = impl_->jit->getDataLayout();
  const std::string triple = impl_->jit->getTargetTriple().str();
  {
    std::vector<std::thread> workers;
    for (size_t p = 1; p < parts.size(); ++p) {
      workers.emplace_back(build_part, std::ref(parts[p]), requests, std::cref(*impl_),
                           std::cref(layout), std::cref(triple));
    }
    build_part(parts[0], requests, *impl_, layout, triple);
    for (std::thread& worker : workers) worker.join();
  }
  for (const ModulePart& part : parts) {
    if (part.error) return *part.error;
  }

  const std::string dylib_name = "hlocc." + std::to_string(impl_->compile_count++);
  auto dylib = impl_->jit->createJITDylib(dylib_name);
  if (!dylib) return llvm_error("creating " + dylib_name, dylib.takeError());
  dylib->addToLinkOrder(impl_->jit->getMainJITDylib());
  std::vector<CompiledKernel> kernels(requests.size());
  for (ModulePart& part : parts) {
    if (llvm::Error error = impl_->jit->addObjectFile(*dylib, std::move(part.object))) {
      return llvm_error("adding the kernels", std::move(error));
    }
    for (size_t k = 0; k < part.requests.size(); ++k) {
      const size_t i = part.requests[k];
      auto address = impl_->jit->lookup(*dylib, requests[i].name);
      if (!address) return llvm_error("linking " + requests[i].name, address.takeError());
      if (requests[i].kind == KernelRequest::Kind::Loop) {
        kernels[i].loop = {address->toPtr<LoopKernel::Fn>(), part.shapes[k].rows,
                           part.shapes[k].row_elements};
      } else {
        kernels[i].scalar = address->toPtr<ScalarFn>();
      }
    }
  }
  const auto end = std::chrono::steady_clock::now();
  impl_->last_seconds = std::chrono::duration<double>(end - start).count();
  if (impl_->keep_ir) {
    std::string dump = "; compile " + std::to_string(impl_->compile_count - 1) + ": " +
                       std::to_string(requests.size()) + " kernels in " +
                       std::to_string(impl_->last_seconds * 1e3) + " ms on " +
                       std::to_string(parts.size()) + " threads\n";
    for (const ModulePart& part : parts) {
      dump += "; part: " + std::to_string(part.requests.size()) + " kernels (emit " +
              std::to_string(part.emit_ms) + " ms, optimise " + std::to_string(part.optimise_ms) +
              " ms, code generation " + std::to_string(part.codegen_ms) + " ms)\n" + part.ir;
    }
    impl_->dumps.push_back(std::move(dump));
  }
  return kernels;
}

}  // namespace hlocc::cpu
