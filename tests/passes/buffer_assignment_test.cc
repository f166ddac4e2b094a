// Scheduling and buffer assignment (passes/schedule.h, passes/buffer_assignment.h), on HLO text.
// Two oracles that know nothing of how slots are chosen: a byte-tag simulation (every value read
// still holds the bytes its writer left) on every computation of the golden and gradient corpora,
// and running each computation instruction by instruction in a real arena laid out by the
// assignment, compared with the reference evaluator.
#include "passes/buffer_assignment.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "autodiff/gradient_check.h"
#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/op_rules.h"
#include "passes/pass.h"
#include "passes/schedule.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;
using passes::BufferAssignment;
using passes::BufferSlot;

passes::BufferAssignmentOptions in_place_options() {
  return {.may_reuse_operand_buffer = passes::elementwise_may_reuse_operand};
}

BufferAssignment assign(const ir::Computation& computation,
                        const passes::BufferAssignmentOptions& options = {}) {
  Result<BufferAssignment> assignment = passes::assign_buffers(computation, options);
  HLOCC_CHECK(assignment.ok()) << assignment.error().message();
  return std::move(assignment).value();
}

// Whether running `inst` writes its result (into the arena): not for views, parameters,
// constants and empty tuples.
bool writes_result(const ir::Instruction& inst, const std::vector<BufferSlot>& slots) {
  return !slots.empty() && !slots[0].view && inst.op() != ir::Op::Parameter &&
         inst.op() != ir::Op::Constant;
}

// ---- Oracle 1: byte tags. Each non-view step writes its tag over its result's arena bytes; a
// view's value is whatever its bytes hold when it runs. Every later read of a value, and the root
// at the end, must find the tag that value was given, over all its bytes.
class TagSimulation {
 public:
  explicit TagSimulation(const BufferAssignment& assignment) : assignment_(assignment) {}

  // "" when the assignment is sound, else the first problem.
  std::string run() {
    for (size_t step = 0; step < assignment_.schedule.size(); ++step) {
      const ir::Instruction& inst = *assignment_.schedule[step];
      const std::vector<BufferSlot>& slots = assignment_.slots.at(&inst);
      const bool computes = writes_result(inst, slots);
      if (computes) {
        for (const ir::Instruction* operand : inst.operands()) {
          if (std::string error = check_value(*operand, "read by %" + inst.name());
              !error.empty()) {
            return error;
          }
        }
        if (std::string error = check_in_place(inst); !error.empty()) return error;
      }
      for (size_t k = 0; k < slots.size(); ++k) {
        if (slots[k].kind != BufferSlot::Kind::Arena || slots[k].size == 0) continue;
        if (computes) writes_.push_back({slots[k].offset, slots[k].size, next_tag_++});
        expected_[{&inst, k}] = current_tag(slots[k]);
      }
    }
    return check_value(*assignment_.computation->root(), "at the end");
  }

 private:
  struct Write {
    int64_t offset, size, tag;
  };

  // The tag over all of [offset, offset + size), or -1 when the bytes hold several.
  int64_t current_tag(const BufferSlot& slot) const {
    for (auto it = writes_.rbegin(); it != writes_.rend(); ++it) {
      const bool overlaps =
          it->offset < slot.offset + slot.size && slot.offset < it->offset + it->size;
      if (!overlaps) continue;
      const bool covers =
          it->offset <= slot.offset && slot.offset + slot.size <= it->offset + it->size;
      return covers ? it->tag : -1;
    }
    return -1;
  }

  std::string check_value(const ir::Instruction& inst, const std::string& when) const {
    const std::vector<BufferSlot>& slots = assignment_.slots.at(&inst);
    for (size_t k = 0; k < slots.size(); ++k) {
      if (slots[k].kind != BufferSlot::Kind::Arena || slots[k].size == 0) continue;
      if (current_tag(slots[k]) != expected_.at({&inst, k})) {
        return "%" + inst.name() + " leaf " + std::to_string(k) +
               " was overwritten before it was " + when;
      }
    }
    return "";
  }

  // A result may share bytes with an operand only as a declared in-place write over exactly it.
  std::string check_in_place(const ir::Instruction& inst) const {
    for (const BufferSlot& result : assignment_.slots.at(&inst)) {
      for (int64_t i = 0; i < inst.operand_count(); ++i) {
        for (const BufferSlot& operand : assignment_.slots.at(inst.operand(i))) {
          if (operand.kind != BufferSlot::Kind::Arena || result.kind != BufferSlot::Kind::Arena ||
              operand.size == 0 || result.size == 0 ||
              operand.offset >= result.offset + result.size ||
              result.offset >= operand.offset + operand.size) {
            continue;
          }
          const bool declared = result.reused_operand >= 0 &&
                                inst.operand(result.reused_operand) == inst.operand(i) &&
                                operand.offset == result.offset && operand.size == result.size;
          if (!declared) return "%" + inst.name() + " overwrites operand " + std::to_string(i);
        }
      }
    }
    return "";
  }

  const BufferAssignment& assignment_;
  std::vector<Write> writes_;
  std::map<std::pair<const ir::Instruction*, size_t>, int64_t> expected_;
  int64_t next_tag_ = 0;
};

// Structural facts every assignment keeps: a schedule of each instruction once, operands first;
// arena slots inside the arena and aligned; the arena no smaller than the bytes live at once.
void check_structure(const BufferAssignment& assignment, int64_t alignment) {
  std::set<const ir::Instruction*> done;
  for (const ir::Instruction* inst : assignment.schedule) {
    for (const ir::Instruction* operand : inst->operands()) {
      ASSERT_TRUE(done.contains(operand))
          << "%" << inst->name() << " runs before %" << operand->name();
    }
    ASSERT_TRUE(done.insert(inst).second) << "%" << inst->name() << " is scheduled twice";
    for (const BufferSlot& slot : assignment.slots.at(inst)) {
      if (slot.kind != BufferSlot::Kind::Arena) continue;
      EXPECT_EQ(slot.offset % alignment, 0) << "%" << inst->name();
      EXPECT_LE(slot.offset + slot.size, assignment.arena_bytes) << "%" << inst->name();
    }
  }
  EXPECT_EQ(static_cast<int64_t>(done.size()), assignment.computation->instruction_count());
  EXPECT_LE(assignment.min_live_bytes, assignment.arena_bytes);
}

// ---- Oracle 2: run a computation in an arena laid out by its assignment, one instruction at a
// time through each op's evaluate rule (callees on the reference evaluator).
class ArenaRun {
 public:
  ArenaRun(const BufferAssignment& assignment, std::span<const ir::Literal> args)
      : assignment_(assignment),
        args_(args),
        arena_(static_cast<size_t>(assignment.arena_bytes), std::byte{0xcd}) {}

  Result<ir::Literal> run(reference::Evaluator& evaluator) {
    for (const ir::Instruction* inst : assignment_.schedule) {
      if (!writes_result(*inst, assignment_.slots.at(inst))) continue;
      std::vector<ir::Literal> operands;
      for (const ir::Instruction* operand : inst->operands()) operands.push_back(read(*operand));
      std::vector<const ir::Literal*> pointers;
      for (const ir::Literal& operand : operands) pointers.push_back(&operand);
      HLOCC_TRY(const ir::Literal result,
                ir::op_rules(inst->op()).evaluate(*inst, pointers, evaluator));
      write(*inst, result);
    }
    return read(*assignment_.computation->root());
  }

 private:
  static const ir::Literal& leaf(const ir::Literal& value, std::span<const int64_t> index) {
    const ir::Literal* current = &value;
    for (const int64_t i : index) current = &current->element(i);
    return *current;
  }

  const std::byte* bytes(const BufferSlot& slot) const {
    switch (slot.kind) {
      case BufferSlot::Kind::Arena:
        return arena_.data() + slot.offset;
      case BufferSlot::Kind::Parameter:
        return leaf(args_[static_cast<size_t>(slot.parameter)], slot.index).raw();
      case BufferSlot::Kind::Constant:
        return leaf(slot.constant->literal(), slot.index).raw();
    }
    return nullptr;
  }

  ir::Literal read(const ir::Instruction& inst) const {
    ir::Literal value(inst.shape());
    for (const std::vector<int64_t>& index : passes::leaf_indices(inst.shape())) {
      ir::Literal& target = const_cast<ir::Literal&>(leaf(value, index));
      const BufferSlot& slot = assignment_.slot(inst, index);
      HLOCC_CHECK(slot.size == target.raw_size()) << "%" << inst.name();
      if (slot.size > 0) std::memcpy(target.raw(), bytes(slot), static_cast<size_t>(slot.size));
    }
    return value;
  }

  void write(const ir::Instruction& inst, const ir::Literal& value) {
    for (const std::vector<int64_t>& index : passes::leaf_indices(inst.shape())) {
      const BufferSlot& slot = assignment_.slot(inst, index);
      HLOCC_CHECK(slot.kind == BufferSlot::Kind::Arena) << "%" << inst.name();
      if (slot.size > 0) {
        std::memcpy(arena_.data() + slot.offset, leaf(value, index).raw(),
                    static_cast<size_t>(slot.size));
      }
    }
  }

  const BufferAssignment& assignment_;
  std::span<const ir::Literal> args_;
  std::vector<std::byte> arena_;
};

// Runs `computation` on `args` both ways; "" when they agree, nothing when the reference itself
// fails (a loop bound by inputs that zeros never meet, say).
std::optional<std::string> compare_arena_run(const ir::Computation& computation,
                                             const passes::BufferAssignmentOptions& options,
                                             const std::vector<ir::Literal>& args) {
  reference::Evaluator evaluator({.max_while_trips = 1000});
  std::vector<const ir::Literal*> pointers;
  for (const ir::Literal& arg : args) pointers.push_back(&arg);
  const Result<ir::Literal> expected = evaluator.call(computation, pointers);
  if (!expected.ok()) return std::nullopt;
  const BufferAssignment assignment = assign(computation, options);
  const Result<ir::Literal> actual = ArenaRun(assignment, args).run(evaluator);
  if (!actual.ok()) return "arena run failed: " + actual.error().message();
  return compare_literals(*expected, *actual);
}

// ---- The corpora: every golden module that should run, every gradient-test module together with
// its vjp computation (reverse mode's long-lived values are what buffer assignment is for).
struct CorpusModule {
  std::string name;
  std::unique_ptr<ir::Module> module;
  std::vector<std::vector<ir::Literal>> args;  // per computation to run: entry (, vjp)
  std::vector<const ir::Computation*> runs;
};

std::vector<ir::Literal> random_args(const ir::Computation& computation, uint64_t seed) {
  std::vector<ir::Literal> args;
  for (const ir::Instruction* parameter : computation.parameters()) {
    const ir::Shape& shape = parameter->shape();
    const bool is_f64 = shape.is_array() && shape.dtype() == ir::DType::F64;
    args.push_back(is_f64 ? random_f64(shape, seed++) : ir::Literal(shape));
  }
  return args;
}

std::vector<CorpusModule> corpus() {
  std::vector<CorpusModule> modules;
  for (const fs::path& path : golden_files()) {
    const GoldenCase golden = parse_golden_directives(read_text_file(path));
    if (!golden.expect) continue;
    CorpusModule entry{path.string(), parse_and_verify(golden.text), {}, {}};
    if (entry.module == nullptr) continue;
    entry.args.emplace_back();
    for (const std::string& arg : golden.args) entry.args.back().push_back(literal(arg));
    entry.runs.push_back(entry.module->entry());
    // The executor sees fused modules: fusion instructions, and loops written in place.
    CorpusModule fused{entry.name + " (fused)", parse_and_verify(golden.text), entry.args, {}};
    const Status fusion = passes::run_passes(*fused.module, {"fusion"});
    EXPECT_TRUE(fusion.ok()) << entry.name
                             << ": the fusion pass failed: " << fusion.error().message();
    fused.runs.push_back(fused.module->entry());
    modules.push_back(std::move(entry));
    if (fusion.ok()) modules.push_back(std::move(fused));
  }
  const fs::path gradients = fs::path(HLOCC_TEST_DATA_DIR) / "autodiff" / "gradients";
  for (const auto& file : fs::recursive_directory_iterator(gradients)) {
    if (file.path().extension() != ".hlo") continue;
    CorpusModule entry{file.path().string(), parse_and_verify(read_text_file(file.path())), {}, {}};
    if (entry.module == nullptr) continue;
    ir::Computation& primal = *entry.module->entry();
    entry.runs.push_back(&primal);
    entry.args.push_back(random_args(primal, 1));
    if (Result<ir::Computation*> vjp = autodiff::build_vjp(primal, "vjp"); vjp.ok()) {
      entry.runs.push_back(*vjp);
      entry.args.push_back(random_args(**vjp, 100));
    }
    modules.push_back(std::move(entry));
  }
  return modules;
}

const std::vector<CorpusModule>& shared_corpus() {
  static const std::vector<CorpusModule> modules = corpus();
  return modules;
}

TEST(BufferAssignmentCorpus, NoLiveValuesShareBytes) {
  ASSERT_GT(shared_corpus().size(), 500u);
  int64_t computations = 0;
  for (const CorpusModule& entry : shared_corpus()) {
    for (const auto& computation : entry.module->computations()) {
      for (const auto& options : {passes::BufferAssignmentOptions{}, in_place_options()}) {
        SCOPED_TRACE(entry.name + ": " + computation->name());
        const BufferAssignment assignment = assign(*computation, options);
        check_structure(assignment, options.alignment);
        EXPECT_EQ(TagSimulation(assignment).run(), "") << assignment.to_string();
        ++computations;
      }
    }
  }
  EXPECT_GT(computations, 2000);
}

TEST(BufferAssignmentCorpus, ArenaRunsMatchTheEvaluator) {
  int64_t runs = 0;
  for (const CorpusModule& entry : shared_corpus()) {
    for (size_t i = 0; i < entry.runs.size(); ++i) {
      for (const auto& options : {passes::BufferAssignmentOptions{}, in_place_options()}) {
        SCOPED_TRACE(entry.name + ": " + entry.runs[i]->name());
        const std::optional<std::string> mismatch =
            compare_arena_run(*entry.runs[i], options, entry.args[i]);
        if (!mismatch) continue;
        EXPECT_EQ(*mismatch, "");
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 1200) << "runs compared";
}

// ---- Hand-worked cases.

struct Parsed {
  std::unique_ptr<ir::Module> module;
  const ir::Computation& entry() const { return *module->entry(); }
  const ir::Instruction& operator[](std::string_view name) const {
    const ir::Instruction* inst = module->entry()->find(name);
    HLOCC_CHECK(inst != nullptr) << "no %" << name;
    return *inst;
  }
};

Parsed parse(std::string_view text) {
  Parsed parsed{parse_and_verify(text)};
  HLOCC_CHECK(parsed.module != nullptr) << "bad test module";
  return parsed;
}

constexpr std::string_view kChain = R"(
HloModule chain
ENTRY main {
  p = f32[16] parameter(0)
  a = f32[16] exponential(p)
  b = f32[16] exponential(a)
  c = f32[16] exponential(b)
  ROOT d = f32[16] exponential(c)
})";

// Each f32[16] is 64 bytes. Without reuse, a step's operand and result live together: 2 x 64.
TEST(BufferAssignment, ChainNeedsTwoBuffersWithoutReuse) {
  const Parsed m = parse(kChain);
  const BufferAssignment assignment = assign(m.entry());
  EXPECT_EQ(assignment.arena_bytes, 128);
  EXPECT_EQ(assignment.min_live_bytes, 128);
  EXPECT_NE(assignment.slot(m["a"]).offset, assignment.slot(m["b"]).offset);
  EXPECT_EQ(assignment.slot(m["a"]).offset, assignment.slot(m["c"]).offset);
  EXPECT_EQ(assignment.slot(m["p"]).kind, BufferSlot::Kind::Parameter);
  EXPECT_EQ(assignment.slot(m["p"]).parameter, 0);
}

TEST(BufferAssignment, ChainRunsInPlaceInOneBuffer) {
  const Parsed m = parse(kChain);
  const BufferAssignment assignment = assign(m.entry(), in_place_options());
  EXPECT_EQ(assignment.arena_bytes, 64);
  EXPECT_EQ(assignment.min_live_bytes, 64);
  EXPECT_EQ(assignment.slot(m["a"]).reused_operand, -1) << "a parameter is never overwritten";
  for (const char* name : {"b", "c", "d"}) {
    EXPECT_EQ(assignment.slot(m[name]).reused_operand, 0) << name;
    EXPECT_EQ(assignment.slot(m[name]).offset, 0) << name;
  }
}

// f32[3] is 12 bytes: alignment rounds each buffer up.
TEST(BufferAssignment, SizesRoundUpToTheAlignment) {
  const Parsed m = parse(R"(
HloModule small
ENTRY main {
  p = f32[3] parameter(0)
  a = f32[3] negate(p)
  ROOT b = f32[3] negate(a)
})");
  EXPECT_EQ(assign(m.entry()).arena_bytes, 128);
  EXPECT_EQ(assign(m.entry(), {.alignment = 4}).arena_bytes, 24);
  EXPECT_EQ(assign(m.entry(), {.alignment = 4}).slot(m["b"]).size, 12);
}

TEST(BufferAssignment, NoReuseOfAnOperandThatLivesOn) {
  const Parsed m = parse(R"(
HloModule lives_on
ENTRY main {
  p = f32[16] parameter(0)
  a = f32[16] exponential(p)
  b = f32[16] exponential(a)
  ROOT t = (f32[16], f32[16]) tuple(a, b)
})");
  const BufferAssignment assignment = assign(m.entry(), in_place_options());
  EXPECT_EQ(assignment.slot(m["b"]).reused_operand, -1);
  EXPECT_EQ(assignment.arena_bytes, 128);
  const std::vector<int64_t> first = {0}, second = {1};
  EXPECT_TRUE(assignment.slot(m["t"], first).view);
  EXPECT_EQ(assignment.slot(m["t"], first).offset, assignment.slot(m["a"]).offset);
  EXPECT_EQ(assignment.slot(m["t"], second).offset, assignment.slot(m["b"]).offset);
}

TEST(BufferAssignment, DynamicUpdateSliceWritesIntoItsOperand) {
  const Parsed m = parse(R"(
HloModule dus
ENTRY main {
  p = f32[8,8] parameter(0)
  u = f32[2,8] parameter(1)
  i = s32[] parameter(2)
  zero = s32[] constant(0)
  a = f32[8,8] negate(p)
  ROOT d = f32[8,8] dynamic-update-slice(a, u, i, zero)
})");
  const BufferAssignment assignment = assign(m.entry(), in_place_options());
  EXPECT_EQ(assignment.slot(m["d"]).reused_operand, 0);
  EXPECT_EQ(assignment.arena_bytes, 256);
  EXPECT_EQ(assignment.slot(m["zero"]).kind, BufferSlot::Kind::Constant);
  EXPECT_EQ(assignment.slot(m["zero"]).constant, &m["zero"]);
  EXPECT_EQ(assign(m.entry()).arena_bytes, 512) << "without the backend's leave, two buffers";
}

// A row-major reshape, a bitcast and a get-tuple-element of a parameter name existing bytes; a
// reshape out of a column-major layout moves elements, so it gets bytes of its own.
TEST(BufferAssignment, ViewsShareTheirOperandsBytes) {
  const Parsed m = parse(R"(
HloModule views
ENTRY main {
  p = (f32[2], f32[4,4]) parameter(0)
  g = f32[4,4] get-tuple-element(p), index=1
  a = f32[4,4] negate(g)
  r = f32[16] reshape(a)
  c = f32[4,4]{0,1} negate(g)
  s = f32[16] reshape(c)
  ROOT t = (f32[16], f32[16], f32[4,4]) tuple(r, s, g)
})");
  const BufferAssignment assignment = assign(m.entry());
  EXPECT_EQ(assignment.slot(m["g"]).kind, BufferSlot::Kind::Parameter);
  EXPECT_EQ(assignment.slot(m["g"]).index, std::vector<int64_t>{1});
  EXPECT_TRUE(assignment.slot(m["r"]).view);
  EXPECT_EQ(assignment.slot(m["r"]).offset, assignment.slot(m["a"]).offset);
  EXPECT_FALSE(assignment.slot(m["s"]).view);
  // c dies at s, so the scheduler runs c and s first and a (= r) reuses c's bytes.
  EXPECT_EQ(assignment.arena_bytes, 2 * 64) << assignment.to_string();
}

// The backend may let a while loop keep its state in its init operand's bytes, leaf by leaf.
TEST(BufferAssignment, WhileStateReusesTheInitLeaves) {
  const Parsed m = parse(R"(
HloModule loop
cond {
  cs = (s32[], f32[16]) parameter(0)
  ci = s32[] get-tuple-element(cs), index=0
  n = s32[] constant(3)
  ROOT lt = pred[] compare(ci, n), direction=LT
}
body {
  bs = (s32[], f32[16]) parameter(0)
  bi = s32[] get-tuple-element(bs), index=0
  one = s32[] constant(1)
  j = s32[] add(bi, one)
  bx = f32[16] get-tuple-element(bs), index=1
  y = f32[16] exponential(bx)
  ROOT t = (s32[], f32[16]) tuple(j, y)
}
ENTRY main {
  p = f32[16] parameter(0)
  zero = s32[] constant(0)
  x = f32[16] negate(p)
  init = (s32[], f32[16]) tuple(zero, x)
  ROOT w = (s32[], f32[16]) while(init), condition=cond, body=body
})");
  const BufferAssignment assignment =
      assign(m.entry(), {.may_reuse_operand_buffer = [](const ir::Instruction& user, int64_t) {
               return user.op() == ir::Op::While;
             }});
  const std::vector<int64_t> counter = {0}, state = {1};
  EXPECT_EQ(assignment.slot(m["w"], state).reused_operand, 0);
  EXPECT_EQ(assignment.slot(m["w"], state).offset, assignment.slot(m["x"]).offset);
  EXPECT_EQ(assignment.slot(m["w"], counter).reused_operand, -1)
      << "the init counter is a constant";
  EXPECT_EQ(assignment.arena_bytes, 64 + 64);
}

// A loop fusion may overwrite an operand it reads only through elementwise ops; not one that
// it reads moved (reverse), at any of the positions where it passes those bytes.
TEST(BufferAssignment, FusionRunsInPlaceOnlyThroughElementwiseOps) {
  const Parsed m = parse(R"(
HloModule fused
fused_add {
  fp0 = f32[16] parameter(0)
  fp1 = f32[] parameter(1)
  fb = f32[16] broadcast(fp1), dimensions={}
  ROOT fa = f32[16] add(fp0, fb)
}
fused_reverse {
  rp0 = f32[16] parameter(0)
  rr = f32[16] reverse(rp0), dimensions={0}
  ROOT rn = f32[16] negate(rr)
}
fused_mixed {
  mp0 = f32[16] parameter(0)
  mp1 = f32[16] parameter(1)
  mr = f32[16] reverse(mp1), dimensions={0}
  ROOT ma = f32[16] add(mp0, mr)
}
ENTRY main {
  p = f32[16] parameter(0)
  s = f32[] parameter(1)
  a = f32[16] negate(p)
  b = f32[16] fusion(a, s), kind=kLoop, calls=fused_add
  c = f32[16] fusion(b, b), kind=kLoop, calls=fused_mixed
  ROOT d = f32[16] fusion(c), kind=kLoop, calls=fused_reverse
})");
  const BufferAssignment assignment = assign(m.entry(), in_place_options());
  EXPECT_EQ(assignment.slot(m["b"]).reused_operand, 0);
  EXPECT_EQ(assignment.slot(m["c"]).reused_operand, -1) << "operand 1 (the same bytes) is reversed";
  EXPECT_EQ(assignment.slot(m["d"]).reused_operand, -1);
  EXPECT_EQ(assignment.arena_bytes, 128);
}

constexpr std::string_view kTwoChains = R"(
HloModule two_chains
add {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT s = f32[] add(x, y)
}
ENTRY main {
  p = f32[1024] parameter(0)
  q = f32[1024] parameter(1)
  zero = f32[] constant(0)
  a1 = f32[64,1024] broadcast(p), dimensions={1}
  b1 = f32[64,1024] broadcast(q), dimensions={1}
  a2 = f32[1024] reduce(a1, zero), dimensions={0}, to_apply=add
  b2 = f32[1024] reduce(b1, zero), dimensions={0}, to_apply=add
  ROOT r = f32[1024] add(a2, b2)
})";

// In program order both 256 KiB broadcasts live together; finishing one chain before starting
// the other needs one of them and two 4 KiB sums.
TEST(Schedule, FinishesOneChainBeforeTheNext) {
  const Parsed m = parse(kTwoChains);
  constexpr int64_t kBig = 64 * 1024 * 4, kSmall = 1024 * 4;
  const std::vector<const ir::Instruction*> in_order = passes::program_order(m.entry());
  EXPECT_EQ(passes::simulated_peak_bytes(m.entry(), in_order), 2 * kBig + kSmall);
  const std::vector<const ir::Instruction*> scheduled = passes::schedule_for_memory(m.entry());
  EXPECT_EQ(passes::simulated_peak_bytes(m.entry(), scheduled), kBig + 2 * kSmall);
  const BufferAssignment assignment = assign(m.entry());
  EXPECT_EQ(assignment.arena_bytes, kBig + 2 * kSmall);
  EXPECT_EQ(assignment.min_live_bytes, kBig + 2 * kSmall);
  Result<BufferAssignment> in_program_order = passes::assign_buffers(m.entry(), in_order, {});
  ASSERT_TRUE(in_program_order.ok());
  EXPECT_EQ(in_program_order->arena_bytes, 2 * kBig + kSmall);
}

// Two layers' bias broadcasts, written first as a tracer emits them: each should be built just
// before the add that reads it, not both at the start.
TEST(Schedule, BuildsBroadcastsWhenTheyAreNeeded) {
  const Parsed m = parse(R"(
HloModule biases
add {
  lhs = f32[] parameter(0)
  rhs = f32[] parameter(1)
  ROOT sum = f32[] add(lhs, rhs)
}
ENTRY main {
  x = f32[64,1024] parameter(0)
  v = f32[1024] parameter(1)
  w = f32[1024] parameter(2)
  zero = f32[] constant(0)
  wide1 = f32[64,1024] broadcast(v), dimensions={1}
  wide2 = f32[64,1024] broadcast(w), dimensions={1}
  s1 = f32[64,1024] add(x, wide1)
  r1 = f32[1024] reduce(s1, zero), dimensions={0}, to_apply=add
  s2 = f32[64,1024] add(x, wide2)
  r2 = f32[1024] reduce(s2, zero), dimensions={0}, to_apply=add
  ROOT r = f32[1024] add(r1, r2)
})");
  constexpr int64_t kBig = 64 * 1024 * 4, kSmall = 1024 * 4;
  EXPECT_EQ(passes::simulated_peak_bytes(m.entry(), passes::program_order(m.entry())), 3 * kBig);
  EXPECT_EQ(passes::simulated_peak_bytes(m.entry(), passes::schedule_for_memory(m.entry())),
            2 * kBig + kSmall);
}

TEST(BufferAssignment, RejectsABadSchedule) {
  const Parsed m = parse(kChain);
  std::vector<const ir::Instruction*> order = passes::program_order(m.entry());
  std::swap(order[1], order[2]);
  const Result<BufferAssignment> swapped = passes::assign_buffers(m.entry(), order, {});
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().message(),
            "buffer assignment: the schedule of main runs %b before its operand %a");
  order.pop_back();
  std::swap(order[1], order[2]);
  const Result<BufferAssignment> short_order = passes::assign_buffers(m.entry(), order, {});
  ASSERT_FALSE(short_order.ok());
  EXPECT_EQ(short_order.error().message(),
            "buffer assignment: the schedule of main has 4 of its 5 instructions");
}

TEST(BufferAssignment, PrintsOneLinePerStep) {
  const Parsed m = parse(kChain);
  EXPECT_EQ(assign(m.entry(), in_place_options()).to_string(),
            "buffer assignment of main: arena 64 bytes, min live 64 bytes, 5 steps\n"
            "0 %p = f32[16] parameter: parameter 0\n"
            "1 %a = f32[16] exponential: arena [0, 64)\n"
            "2 %b = f32[16] exponential: arena [0, 64) (in place of operand 0)\n"
            "3 %c = f32[16] exponential: arena [0, 64) (in place of operand 0)\n"
            "4 %d = f32[16] exponential: arena [0, 64) (in place of operand 0)\n");
}

}  // namespace
}  // namespace hlocc::testing
