// DnnPlan's steps and bindings, and the layout helpers shared by the convolution and dot mappings.
#include "backends/cpu/onednn/dnn_plan.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <tuple>

#include "ir/host_memory.h"
#include "ir/shape.h"

namespace hlocc::cpu::detail {

using dnnl::memory;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

Result<memory::data_type> dnn_type(const ir::Instruction& inst, ir::DType dtype) {
  if (dtype == ir::DType::F32) return memory::data_type::f32;
  if (dtype == ir::DType::BF16) return memory::data_type::bf16;
  return Error(std::string(inst.info().name) + ": oneDNN runs f32 and bf16 only; got " +
               std::string(ir::dtype_name(dtype)) + " in " + inst.shape().to_string(false) + " (%" +
               inst.name() + ")\n  hint: the elemental loops run this instruction");
}

std::optional<memory::desc> merged_view(const ir::Shape& shape,
                                        const std::vector<std::vector<int64_t>>& groups,
                                        memory::data_type type) {
  const std::vector<int64_t> strides = ir::row_major_strides(shape.dims());
  memory::dims dims, view_strides;
  for (const std::vector<int64_t>& group : groups) {
    int64_t size = 1, stride = 1;
    bool first = true;
    for (int64_t d : group) {
      if (shape.dim(d) == 1) continue;  // a size-1 dim never moves the index
      const int64_t dim_stride = strides[static_cast<size_t>(d)];
      // Merging d into the dims before it: they must sit directly outside d in memory.
      if (!first && stride != dim_stride * shape.dim(d)) return std::nullopt;
      size *= shape.dim(d);
      stride = dim_stride;
      first = false;
    }
    dims.push_back(size);
    view_strides.push_back(stride);
  }
  // A size-1 dim gets the stride a dense row-major array would give it, so that oneDNN
  // recognises plain layouts such as a per-channel bias {1, C, 1, 1}.
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i] == 1) view_strides[i] = i + 1 < dims.size() ? view_strides[i + 1] * dims[i + 1] : 1;
  }
  return memory::desc(dims, type, view_strides);
}

std::string format_ms(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f ms", seconds * 1e3);
  return text;
}

DnnPlan::DnnPlan() : stream_(cpu_engine()) {}

memory DnnPlan::bind(int64_t input, const memory::desc& md, int64_t byte_offset,
                     int64_t chunk_stride) {
  memory view(md, cpu_engine(), DNNL_MEMORY_NONE);
  bindings_.push_back({input, byte_offset, chunk_stride, view});
  return view;
}

memory DnnPlan::scratch(const memory::desc& md) {
  // Cached steps (weights in oneDNN's layout) keep their results between runs.
  if (guard_) return memory(md, cpu_engine());
  memory transient(md, cpu_engine(), DNNL_MEMORY_NONE);
  transients_.push_back({transient, transient_bytes_});
  constexpr int64_t kAlignment = 64;
  transient_bytes_ +=
      (static_cast<int64_t>(md.get_size()) + kAlignment - 1) / kAlignment * kAlignment;
  return transient;
}

memory DnnPlan::alias(const memory::desc& md, const memory& scratch_memory) {
  for (const Transient& t : transients_) {
    if (t.memory != scratch_memory) continue;
    memory view(md, cpu_engine(), DNNL_MEMORY_NONE);
    transients_.push_back({view, t.offset});
    return view;
  }
  return memory(md, cpu_engine(), scratch_memory.get_data_handle());
}

memory DnnPlan::convert(const memory& source, const memory::desc& wanted) {
  if (source.get_desc() == wanted) return source;
  memory target = scratch(wanted);
  add_reorder(source, target);
  const bool bound =
      std::ranges::any_of(bindings_, [&](const Binding& b) { return b.memory == source; });
  if (!guard_ && bound)
    conversions_.push_back({steps_.size() - 1, source, transients_.size() - 1, false});
  return target;
}

memory DnnPlan::gather(int64_t input, const ir::Shape& shape,
                       const std::vector<std::vector<int64_t>>& groups, memory::data_type type) {
  // The source seen with its dims permuted into group order; the target is that order, dense.
  const std::vector<int64_t> strides = ir::row_major_strides(shape.dims());
  memory::dims permuted_dims, permuted_strides, merged_dims;
  for (const std::vector<int64_t>& group : groups) {
    int64_t size = 1;
    for (int64_t d : group) {
      permuted_dims.push_back(shape.dim(d));
      permuted_strides.push_back(strides[static_cast<size_t>(d)]);
      size *= shape.dim(d);
    }
    merged_dims.push_back(size);
  }
  const memory::data_type source_type =
      shape.dtype() == ir::DType::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
  const memory source = bind(input, memory::desc(permuted_dims, source_type, permuted_strides));
  const memory merged =
      scratch(memory::desc(merged_dims, type, ir::row_major_strides(merged_dims)));
  const memory permuted =
      alias(memory::desc(permuted_dims, type, ir::row_major_strides(permuted_dims)), merged);
  add_reorder(source, permuted);
  return merged;
}

memory DnnPlan::destination(const memory& view, const memory::desc& wanted) {
  return view.get_desc() == wanted ? view : scratch(wanted);
}

void DnnPlan::copy_out(const memory& destination, const memory& view) {
  if (destination == view) return;
  add_reorder(destination, view);
  const auto transient = std::ranges::find_if(
      transients_, [&](const Transient& t) { return t.memory == destination; });
  if (transient != transients_.end()) {
    conversions_.push_back(
        {steps_.size() - 1, view, static_cast<size_t>(transient - transients_.begin()), true});
  }
}

void DnnPlan::add_reorder(const memory& from, const memory& to) {
  steps_.push_back({dnnl::reorder(from, to),
                    {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}},
                    {},
                    guard_,
                    chunks_ > 0});
}

void DnnPlan::add_primitive(const dnnl::primitive& primitive, const memory::desc& scratchpad,
                            std::unordered_map<int, memory> args) {
  args[DNNL_ARG_SCRATCHPAD] = scratch(scratchpad);
  steps_.push_back({primitive, std::move(args), {}, guard_, chunks_ > 0});
}

void DnnPlan::add_host_step(std::function<void()> step) {
  steps_.push_back({std::nullopt, {}, std::move(step), guard_, chunks_ > 0});
}

void InputWatch::update(std::span<const void* const> inputs) {
  const void* data = inputs[static_cast<size_t>(input_)];
  if (valid_ && std::memcmp(data, bytes_.data(), bytes_.size()) == 0) {
    ++unchanged_runs_;
    return;
  }
  std::memcpy(bytes_.data(), data, bytes_.size());
  valid_ = true;
  ++version_;
  unchanged_runs_ = 0;
}

void DnnPlan::begin_cached(int64_t input, int64_t bytes) {
  auto watch = std::make_shared<InputWatch>(input, bytes);
  add_host_step([watch, this] { watch->update(inputs_); });
  begin_cached(std::shared_ptr<const InputWatch>(watch));
}

void DnnPlan::begin_cached(std::shared_ptr<const InputWatch> watch) {
  end_cached();
  // The group is stale when the watch has moved on since the group last ran; decided once per
  // run by this step, read by the guard of every step of the group.
  struct Group {
    uint64_t ran_on = 0;
    bool stale = true;
  };
  auto group = std::make_shared<Group>();
  add_host_step([watch, group] {
    group->stale = group->ran_on != watch->version();
    group->ran_on = watch->version();
  });
  guard_ = [group] { return group->stale; };
}

namespace {

int64_t round_up(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

// The transient scratch of the plans running on this thread. Plans run one at a time per thread,
// so one buffer, as large as the largest plan needs, serves them all: a program of many
// convolutions holds one layer's reorder buffers and scratchpad, not every layer's. The buffer
// grows during a program's first run; its pages are mapped when it grows, because pages first
// reached in the second run cost that run more than its convolutions (a batch-1 VGG19 forward:
// 0.26-0.40 s against 0.076 s from the third run on, on the VM's slow page faults).
struct Arena {
  static constexpr int64_t kHugePage = int64_t{2} << 20;
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data;
  int64_t capacity = 0;

  // At least `bytes` (a multiple of 64), keeping the contents of the first `keep` bytes.
  char* reserve(int64_t bytes, int64_t keep) {
    if (bytes <= capacity) return data.get();
    if (keep == 0) data.reset();  // not both at once: the old one can be large
    const int64_t size = round_up(bytes, kHugePage);
    std::unique_ptr<char, Free> grown(static_cast<char*>(
        std::aligned_alloc(static_cast<size_t>(kHugePage), static_cast<size_t>(size))));
    HLOCC_CHECK(grown != nullptr) << "out of memory for " << bytes << " bytes of oneDNN scratch";
    ir::populate_host(grown.get(), static_cast<size_t>(size));
    if (keep > 0) std::memcpy(grown.get(), data.get(), static_cast<size_t>(keep));
    data = std::move(grown);
    capacity = size;
    return data.get();
  }
};
thread_local Arena arena;

// What the plan run last on this thread left in the arena: a caller's buffer (its bytes as
// `binding` sees them) in oneDNN's layout `layout`, at `offset`.
struct Handoff {
  const void* data;
  memory::desc binding, layout;
  int64_t offset;
  int64_t bytes;
};
struct Handoffs {
  uint64_t serial = 0;  // the step boundary the plan ran after
  std::vector<Handoff> list;
};
thread_local Handoffs handoffs;
thread_local uint64_t step_serial = 0;
std::atomic<int64_t> taken_over{0};

}  // namespace

// Points the transients into the arena. A conversion that the plan run just before left there
// (no step boundary but this plan's own in between, so the bytes converted are unchanged) is
// taken over: its transient points at it, and its reorder is skipped (true in the result). The
// plan's own transients go before or after the ones taken over, never over them.
std::vector<bool> DnnPlan::place_transients() {
  std::vector<bool> skipped(steps_.size(), false);
  std::vector<std::pair<size_t, const Handoff*>> taken;  // transient index, its handoff
  int64_t taken_start = std::numeric_limits<int64_t>::max(), taken_end = 0;
  if (chunks_ == 0 && handoffs.serial + 1 == step_serial) {
    for (const Conversion& c : conversions_) {
      if (c.into_binding) continue;
      const memory& target = transients_[c.transient].memory;
      for (const Handoff& h : handoffs.list) {
        if (h.data != c.binding.get_data_handle() || h.binding != c.binding.get_desc() ||
            h.layout != target.get_desc()) {
          continue;
        }
        taken.emplace_back(c.transient, &h);
        skipped[c.step] = true;
        taken_start = std::min(taken_start, h.offset);
        taken_end = std::max(taken_end, h.offset + h.bytes);
        break;
      }
    }
  }
  if (transient_bytes_ == 0) return skipped;
  const int64_t base =
      taken.empty() || transient_bytes_ <= taken_start ? 0 : round_up(taken_end, 64);
  char* data = arena.reserve(base + transient_bytes_, taken_end);
  for (Transient& t : transients_) t.memory.set_data_handle(data + base + t.offset);
  for (const auto& [index, handoff] : taken) {
    transients_[index].memory.set_data_handle(data + handoff->offset);
  }
  taken_over += static_cast<int64_t>(taken.size());
  return skipped;
}

// Leaves this run's conversions for the plan that runs next: those whose two sides still hold
// the same values (an output copy that is the last step; an input that the run did not write).
void DnnPlan::hand_off() const {
  handoffs.list.clear();
  handoffs.serial = step_serial;
  if (chunks_ != 0) return;
  const auto overlaps_output = [&](const memory& m) {
    const char* begin = static_cast<const char*>(m.get_data_handle());
    const char* end = begin + m.get_desc().get_size();
    return std::ranges::any_of(bindings_, [&](const Binding& b) {
      const char* out = static_cast<const char*>(b.memory.get_data_handle());
      return b.input == kOutput && out < end && begin < out + b.memory.get_desc().get_size();
    });
  };
  for (const Conversion& c : conversions_) {
    if (c.into_binding ? c.step + 1 != steps_.size() : overlaps_output(c.binding)) continue;
    const memory& converted = transients_[c.transient].memory;
    handoffs.list.push_back(
        {c.binding.get_data_handle(), c.binding.get_desc(), converted.get_desc(),
         static_cast<const char*>(converted.get_data_handle()) - arena.data.get(),
         static_cast<int64_t>(converted.get_desc().get_size())});
  }
}

void DnnPlan::run(std::span<const void* const> inputs, void* output) {
  inputs_ = inputs;
  std::vector<bool> skipped;
  for (int64_t chunk = 0; chunk < std::max<int64_t>(chunks_, 1); ++chunk) {
    for (Binding& binding : bindings_) {
      if (chunk > 0 && binding.chunk_stride == 0) continue;
      // oneDNN takes non-const handles; inputs are only ever read (they are sources of steps).
      const void* base =
          binding.input == kOutput ? output : inputs[static_cast<size_t>(binding.input)];
      binding.memory.set_data_handle(const_cast<char*>(static_cast<const char*>(base)) +
                                     binding.byte_offset + chunk * binding.chunk_stride);
    }
    if (chunk == 0) skipped = place_transients();
    for (size_t i = 0; i < steps_.size(); ++i) {
      Step& step = steps_[i];
      if ((chunk > 0 && !step.per_chunk) || skipped[i]) continue;
      if (step.guard && !step.guard()) continue;
      if (step.primitive) {
        step.primitive->execute(stream_, step.args);
      } else {
        stream_.wait();
        step.host();
      }
    }
    stream_.wait();
  }
  hand_off();
}

int64_t conversions_taken_over() { return taken_over.load(); }

dnnl::primitive_attr plan_attr(const dnnl::post_ops& post_ops) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attr.set_post_ops(post_ops);
  return attr;
}

// The probes' memories share one host block whose size is rounded up to a power of two, so
// that later probes get the block free_host kept back, its pages already mapped: fresh memory
// from oneDNN's allocator faulted in small pages cost 40-80 ms a probe on the VM, ten times the
// timed runs, and most of the training step's compile time.
double time_primitive(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                      int runs) {
  constexpr int64_t kAlign = 4096;
  std::vector<std::tuple<int, memory::desc, int64_t>> parts;  // argument, layout, byte offset
  int64_t bytes = 0;
  for (auto [arg, md] :
       {std::pair{DNNL_ARG_SRC, pd.src_desc()}, std::pair{DNNL_ARG_WEIGHTS, pd.weights_desc()},
        std::pair{DNNL_ARG_DST, pd.dst_desc()}, std::pair{DNNL_ARG_DIFF_DST, pd.diff_dst_desc()},
        std::pair{DNNL_ARG_DIFF_WEIGHTS, pd.diff_weights_desc()},
        std::pair{DNNL_ARG_SCRATCHPAD, pd.scratchpad_desc()}}) {
    if (md.get_size() == 0) continue;  // not an argument of this primitive
    parts.emplace_back(arg, md, bytes);
    bytes += round_up(static_cast<int64_t>(md.get_size()), kAlign);
  }
  const size_t block_bytes = std::bit_ceil(static_cast<size_t>(std::max<int64_t>(bytes, 1)));
  const std::unique_ptr<std::byte, std::function<void(std::byte*)>> block(
      static_cast<std::byte*>(ir::allocate_host(block_bytes)),
      [block_bytes](std::byte* b) { ir::free_host(b, block_bytes); });
  std::memset(block.get(), 0, static_cast<size_t>(bytes));
  std::unordered_map<int, memory> args;
  for (const auto& [arg, md, offset] : parts) {
    args[arg] = memory(md, cpu_engine(), block.get() + offset);
  }
  dnnl::stream stream(cpu_engine());
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    primitive.execute(stream, args);
    stream.wait();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

}  // namespace hlocc::cpu::detail

namespace hlocc::cpu {

void mark_step_boundary() { ++detail::step_serial; }

}  // namespace hlocc::cpu
