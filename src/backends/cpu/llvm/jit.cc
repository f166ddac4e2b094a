// The ORC JIT: one LLVM module per compile() call, optimised at O3 for the host CPU (the loop
// vectorizer with libmvec's vector math), compiled into its own JITDylib so symbol names only
// need to be unique within a call. Kernels stay valid while the Jit lives.
#include "backends/cpu/llvm/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

#include <chrono>
#include <cstdlib>
#include <mutex>

#include "backends/cpu/llvm/emitter.h"

namespace hlocc::cpu {

struct Jit::Impl {
  JitOptions options;
  bool keep_ir = false;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> target_machine;  // for the optimisation pipeline
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
  auto target_machine = machine_builder->createTargetMachine();
  if (!target_machine) return llvm_error("target machine", target_machine.takeError());
  impl->target_machine = std::move(*target_machine);
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

Result<std::vector<CompiledKernel>> Jit::compile(std::span<const KernelRequest> requests) {
  const auto start = std::chrono::steady_clock::now();
  auto context = std::make_unique<llvm::LLVMContext>();
  // Remarks and warnings (a loop marked for vectorisation that could not be, because of a call
  // without vector variant) are not the user's business; invalid IR is caught by the verifier.
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  auto module = std::make_unique<llvm::Module>("hlocc_kernels", *context);
  module->setDataLayout(impl_->jit->getDataLayout());
  module->setTargetTriple(impl_->jit->getTargetTriple().str());
  detail::IrEmitter emitter(*module, impl_->vector_library);
  std::vector<CompiledKernel> kernels(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const KernelRequest& request = requests[i];
    if (request.kind == KernelRequest::Kind::Loop) {
      HLOCC_TRY(const detail::LoopShape shape,
                emitter.emit_loop_kernel(*request.computation, request.name,
                                         impl_->options.flat_row_elements));
      kernels[i].loop.rows = shape.rows;
      kernels[i].loop.row_elements = shape.row_elements;
    } else {
      HLOCC_TRY_STATUS(emitter.emit_scalar_function(*request.computation, request.name));
    }
  }
  std::string problems;
  llvm::raw_string_ostream problem_stream(problems);
  HLOCC_CHECK(!llvm::verifyModule(*module, &problem_stream)) << "cpu jit emitted invalid IR:\n"
                                                             << problems;
  const auto emitted = std::chrono::steady_clock::now();
  optimize(*module, *impl_->target_machine);
  std::string ir;
  if (impl_->keep_ir) llvm::raw_string_ostream(ir) << *module;
  const auto optimised = std::chrono::steady_clock::now();  // IR printing counts as optimising

  const std::string dylib_name = "hlocc." + std::to_string(impl_->compile_count++);
  auto dylib = impl_->jit->createJITDylib(dylib_name);
  if (!dylib) return llvm_error("creating " + dylib_name, dylib.takeError());
  dylib->addToLinkOrder(impl_->jit->getMainJITDylib());
  if (llvm::Error error = impl_->jit->addIRModule(
          *dylib, llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    return llvm_error("adding the module", std::move(error));
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    auto address = impl_->jit->lookup(*dylib, requests[i].name);
    if (!address) return llvm_error("compiling " + requests[i].name, address.takeError());
    if (requests[i].kind == KernelRequest::Kind::Loop) {
      kernels[i].loop.fn = address->toPtr<LoopKernel::Fn>();
    } else {
      kernels[i].scalar = address->toPtr<ScalarFn>();
    }
  }
  const auto end = std::chrono::steady_clock::now();
  const auto ms = [](auto from, auto to) {
    return std::to_string(std::chrono::duration<double, std::milli>(to - from).count());
  };
  impl_->last_seconds = std::chrono::duration<double>(end - start).count();
  if (impl_->keep_ir) {
    impl_->dumps.push_back("; compile " + std::to_string(impl_->compile_count - 1) + ": " +
                           std::to_string(requests.size()) + " kernels in " + ms(start, end) +
                           " ms (emit " + ms(start, emitted) + ", optimise " +
                           ms(emitted, optimised) + ", code generation " + ms(optimised, end) +
                           ")\n" + ir);
  }
  return kernels;
}

}  // namespace hlocc::cpu
