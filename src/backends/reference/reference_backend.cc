#include "backends/reference/reference_backend.h"

#include "ir/clone.h"

namespace hlocc::reference {
namespace {

class ReferenceExecutable final : public runtime::Executable {
 public:
  ReferenceExecutable(std::unique_ptr<ir::Module> module, EvalOptions options)
      : module_(std::move(module)), options_(options) {}

  Result<ir::Literal> run(std::span<const ir::Literal> args) override {
    return evaluate(*module_, args, options_);
  }

 private:
  std::unique_ptr<ir::Module> module_;
  EvalOptions options_;
};

}  // namespace

std::unique_ptr<runtime::Executable> make_reference_executable(std::unique_ptr<ir::Module> module,
                                                               EvalOptions options) {
  return std::make_unique<ReferenceExecutable>(std::move(module), options);
}

Result<std::unique_ptr<runtime::Executable>> ReferenceBackend::compile(const ir::Module& module) {
  return make_reference_executable(ir::clone_module(module), options_);
}

}  // namespace hlocc::reference
