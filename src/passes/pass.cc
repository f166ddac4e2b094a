#include "passes/pass.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/algebraic_simplifier.h"
#include "passes/call_inlining.h"
#include "passes/constant_folding.h"
#include "passes/cse.h"
#include "passes/dce.h"
#include "passes/reduction_splitting.h"
#include "passes/sibling_fusion.h"
#include "passes/fusion.h"
#include "passes/layout_assignment.h"

namespace hlocc::passes {
namespace {

// Each pass reaches its fixed point in one round when it works as designed; the extra rounds
// only confirm that (and bound the work if a pass ever keeps "changing" things).
constexpr int kMaxRounds = 3;

template <class P>
std::unique_ptr<Pass> make() {
  return std::make_unique<P>();
}

// Every pass; make_pass finds one by its name().
constexpr std::unique_ptr<Pass> (*kPasses[])() = {
    make<CallInlining>, make<CommonSubexpressionElimination>, make<DeadCodeElimination>,
    make<AlgebraicSimplifier>, make<ConstantFolding>, make<Fusion>,
    make<LayoutAssignment>, make<ReductionSplitting>, make<SiblingFusion>};

std::string known_pass_names() {
  std::string names;
  for (const auto factory : kPasses)
    names += (names.empty() ? "" : ", ") + std::string(factory()->name());
  return names;
}

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::string_view(value) == "1";
}

// HLOCC_DUMP=<dir>: writes <dir>/<prefix>.<step>.<pass>.hlo, so that a directory listing reads in
// order. The prefix is the module's name, or <name>-2, -3... when that name was dumped before (a
// program often runs the passes on several modules of one name), so no dump overwrites another.
class Dumper {
 public:
  explicit Dumper(const ir::Module& module) {
    const char* dir = std::getenv("HLOCC_DUMP");
    if (dir == nullptr || *dir == '\0') return;
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    prefix_ = std::filesystem::path(dir) / module.name();
    for (int n = 2; std::filesystem::exists(file(0, "input")); ++n) {
      prefix_ = std::filesystem::path(dir) / (module.name() + "-" + std::to_string(n));
    }
  }

  Status dump(const ir::Module& module, int step, std::string_view pass_name) const {
    if (prefix_.empty()) return ok_status();
    std::ofstream out(file(step, pass_name));
    out << ir::print_module(module);
    if (!out) return Error("HLOCC_DUMP: cannot write " + file(step, pass_name).string());
    return ok_status();
  }

  // <prefix>.<step>.<pass>_decisions.txt beside the module, when the pass says what it decided.
  Status dump_decisions(const Pass& pass, int step) const {
    const std::string log = pass.decision_log();
    if (prefix_.empty() || log.empty()) return ok_status();
    const std::string path = prefix_.string() + "." + std::to_string(step) + "." +
                             std::string(pass.name()) + "_decisions.txt";
    std::ofstream out(path);
    out << log;
    if (!out) return Error("HLOCC_DUMP: cannot write " + path);
    return ok_status();
  }

 private:
  std::filesystem::path file(int step, std::string_view pass_name) const {
    return prefix_.string() + "." + std::to_string(step) + "." + std::string(pass_name) + ".hlo";
  }

  std::filesystem::path prefix_;  // empty when not dumping
};

Status run_to_fixed_point(Pass& pass, ir::Module& module, bool verify_each_round) {
  for (int round = 0; round < kMaxRounds; ++round) {
    HLOCC_TRY(const bool changed, pass.run(module));
    if (verify_each_round) {
      const Status verified = ir::verify(module);
      if (!verified.ok()) {
        return Error("pass " + std::string(pass.name()) +
                     " left an invalid module: " + verified.error().message());
      }
    }
    if (!changed) break;
  }
  return ok_status();
}

}  // namespace

std::unique_ptr<Pass> make_pass(std::string_view name) {
  for (const auto factory : kPasses) {
    std::unique_ptr<Pass> pass = factory();
    if (pass->name() == name) return pass;
  }
  return nullptr;
}

Status run_passes(ir::Module& module, const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<Pass>> pipeline;
  for (const std::string& name : names) {
    pipeline.push_back(make_pass(name));
    if (pipeline.back() == nullptr) {
      return Error("passes: unknown pass '" + name + "'; known passes: " + known_pass_names());
    }
  }
  const bool verify_each_round = env_flag("HLOCC_VERIFY");
  const Dumper dumper(module);
  HLOCC_TRY_STATUS(dumper.dump(module, 0, "input"));
  for (size_t i = 0; i < pipeline.size(); ++i) {
    HLOCC_TRY_STATUS(run_to_fixed_point(*pipeline[i], module, verify_each_round));
    HLOCC_TRY_STATUS(dumper.dump(module, static_cast<int>(i) + 1, pipeline[i]->name()));
    HLOCC_TRY_STATUS(dumper.dump_decisions(*pipeline[i], static_cast<int>(i) + 1));
  }
  const Status verified = ir::verify(module);
  if (!verified.ok())
    return Error("passes: invalid module after the passes: " + verified.error().message());
  return ok_status();
}

}  // namespace hlocc::passes
