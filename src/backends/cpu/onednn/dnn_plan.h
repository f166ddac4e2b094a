// DnnPlan: the DnnKernel every oneDNN mapping builds. A plan is a fixed list of steps (oneDNN
// primitives and small host actions) over dnnl::memory objects; the memories bound to the caller's
// buffers get their data handles set at the start of run(). All primitives exist before run().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/cpu/onednn/dnn_kernel.h"

namespace hlocc::cpu::detail {

/// The CPU engine shared by every kernel of the process.
const dnnl::engine& cpu_engine();

/// oneDNN's type for an HLO element type: f32 and bf16 only; otherwise an error naming `inst`.
Result<dnnl::memory::data_type> dnn_type(const ir::Instruction& inst, ir::DType dtype);

/// A view of a dense row-major array of `shape` as fewer dims: oneDNN dim i is the row-major merge
/// of the shape dims groups[i] (an empty group is a dim of size 1). Empty if a group's dims are
/// not contiguous in that order (then the view needs a copy: see DnnPlan::gather).
std::optional<dnnl::memory::desc> merged_view(const ir::Shape& shape,
                                              const std::vector<std::vector<int64_t>>& groups,
                                              dnnl::memory::data_type type);

/// "1.23 ms" for a duration in seconds.
std::string format_ms(double seconds);

/// The bytes of one kernel input between runs, by exact compare against a kept copy (weights that
/// stay the same between runs are reordered once, without trusting pointers).
class InputWatch {
 public:
  InputWatch(int64_t input, int64_t bytes) : input_(input), bytes_(static_cast<size_t>(bytes)) {}
  /// Once per run, before the steps that depend on it.
  void update(std::span<const void* const> inputs);
  /// Increments whenever the bytes differ from the last run's.
  uint64_t version() const { return version_; }
  /// Runs in a row that saw the same bytes as the run before them (0 after a change).
  int64_t unchanged_runs() const { return unchanged_runs_; }

 private:
  int64_t input_;
  std::vector<char> bytes_;
  bool valid_ = false;
  uint64_t version_ = 0;
  int64_t unchanged_runs_ = 0;
};

class DnnPlan : public DnnKernel {
 public:
  static constexpr int64_t kOutput = -1;

  DnnPlan();
  /// A memory over the caller's buffer `input` (or kOutput), `byte_offset` bytes in, seen as `md`.
  /// In a chunked plan (begin_chunks), chunk c sees it `chunk_stride` * c bytes further on.
  dnnl::memory bind(int64_t input, const dnnl::memory::desc& md, int64_t byte_offset = 0,
                    int64_t chunk_stride = 0);
  /// The steps added from now on run `count` times per run, once per chunk (of a batch, say),
  /// with the bindings moved by their chunk strides; the steps added before run once, first.
  void begin_chunks(int64_t count) { chunks_ = count; }
  /// Scratch memory: inside a cached group (begin_cached) owned by the plan and kept between
  /// runs; otherwise transient, valid during run() only (a per-thread buffer that all plans
  /// share). A transient conversion between a binding and oneDNN's layout (convert, copy_out) is
  /// handed to the plan that runs next: it skips its own conversion of the same bytes into the
  /// same layout (see mark_step_boundary).
  dnnl::memory scratch(const dnnl::memory::desc& md);
  /// A memory of `md` over the same bytes as `scratch_memory` (from scratch()).
  dnnl::memory alias(const dnnl::memory::desc& md, const dnnl::memory& scratch_memory);
  /// `source` if it already has `wanted`'s layout and type, else plan scratch of `wanted` that a
  /// reorder step (added now) fills from `source` on every run.
  dnnl::memory convert(const dnnl::memory& source, const dnnl::memory::desc& wanted);
  /// Input `input` (a dense array of `shape`) permuted so that its dims come in the order of
  /// `groups` (concatenated), converted to `type` and merged into one dim per group: plan scratch
  /// filled by a reorder step.
  dnnl::memory gather(int64_t input, const ir::Shape& shape,
                      const std::vector<std::vector<int64_t>>& groups,
                      dnnl::memory::data_type type);
  /// Where a primitive writing layout `wanted` puts a result meant for `view`: `view` itself if
  /// the layouts match, else plan scratch that copy_out then reorders into `view`.
  dnnl::memory destination(const dnnl::memory& view, const dnnl::memory::desc& wanted);
  void copy_out(const dnnl::memory& destination, const dnnl::memory& view);
  void add_reorder(const dnnl::memory& from, const dnnl::memory& to);
  /// Steps added between begin_cached and end_cached run only when the `bytes` bytes of input
  /// `input` differ from those they last ran on: this plan keeps an InputWatch of its own.
  void begin_cached(int64_t input, int64_t bytes);
  /// The same over a watch that the caller updates before each run (shared between plans that
  /// run the same weights in different layouts).
  void begin_cached(std::shared_ptr<const InputWatch> watch);
  void end_cached() { guard_ = nullptr; }
  /// Adds a primitive; its scratchpad (user mode) is allocated here.
  void add_primitive(const dnnl::primitive& primitive, const dnnl::memory::desc& scratchpad,
                     std::unordered_map<int, dnnl::memory> args);
  void add_host_step(std::function<void()> step);
  void set_description(std::string description) { description_ = std::move(description); }

  void run(std::span<const void* const> inputs, void* output) override;
  std::string describe() const override { return description_; }

 private:
  struct Binding {
    int64_t input;
    int64_t byte_offset;
    int64_t chunk_stride;
    dnnl::memory memory;
  };
  struct Step {
    std::optional<dnnl::primitive> primitive;
    std::unordered_map<int, dnnl::memory> args;
    std::function<void()> host;
    std::function<bool()> guard;  // the step runs only if this is empty or returns true
    bool per_chunk = false;
  };
  struct Transient {
    dnnl::memory memory;
    int64_t offset;  // bytes into this plan's part of the transient buffer
  };
  // A reorder between a binding and a transient in oneDNN's layout: after it, both hold the same
  // values, which the next plan may use (see place_transients and hand_off).
  struct Conversion {
    size_t step;        // the reorder's index in steps_
    dnnl::memory binding;
    size_t transient;   // index in transients_
    bool into_binding;  // copy_out (transient to binding) rather than convert
  };
  std::vector<bool> place_transients();
  void hand_off() const;

  std::vector<Binding> bindings_;
  std::vector<Transient> transients_;
  std::vector<Conversion> conversions_;
  int64_t transient_bytes_ = 0;
  int64_t chunks_ = 0;  // 0: not chunked
  std::vector<Step> steps_;
  std::function<bool()> guard_;  // given to the steps being added
  std::span<const void* const> inputs_;  // of the run in progress, for host steps
  dnnl::stream stream_;
  std::string description_;
};

/// How many conversions plans have taken over from the plan run before them (for tests).
int64_t conversions_taken_over();

/// The attributes every main primitive is created with: user scratchpad, and `post_ops`.
dnnl::primitive_attr plan_attr(const dnnl::post_ops& post_ops);

/// Seconds for the fastest of `runs` executions of `primitive` on plan-independent scratch
/// memories in the layouts of `pd` (used to pick an algorithm; the data are zeros).
double time_primitive(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                      int runs);

}  // namespace hlocc::cpu::detail
