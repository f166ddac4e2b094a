#include "backends/cpu/steps.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace hlocc::cpu {
namespace {

// Below this many result elements a loop runs on one thread: waking the team costs more.
constexpr int64_t kParallelElements = 1 << 15;

// Copies each leaf of `from` over the matching leaf of `to` (memmove: a loop body's result may
// be its unchanged parameter, so both may be the same buffer).
void copy_leaves(const std::vector<void*>& from, const std::vector<void*>& to,
                 const std::vector<int64_t>& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (from[i] != to[i] && bytes[i] > 0) {
      std::memmove(to[i], from[i], static_cast<size_t>(bytes[i]));
    }
  }
}

}  // namespace

void parallel_copy(void* to, const void* from, size_t bytes) {
  constexpr size_t kChunk = size_t{1} << 20;
  const auto chunks = static_cast<int64_t>((bytes + kChunk - 1) / kChunk);
  if (chunks <= 1) {
    if (bytes > 0) std::memcpy(to, from, bytes);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const size_t begin = static_cast<size_t>(chunk) * kChunk;
    std::memcpy(static_cast<std::byte*>(to) + begin, static_cast<const std::byte*>(from) + begin,
                std::min(kChunk, bytes - begin));
  }
}

std::string leaf_list(const std::vector<int64_t>& leaves) {
  std::string text;
  for (int64_t leaf : leaves) text += (text.empty() ? "%" : ", %") + std::to_string(leaf);
  return text;
}

LoopStep::LoopStep(std::string name, std::vector<int64_t> inputs, std::vector<int64_t> outputs,
                   int64_t elements, int threads)
    : name_(std::move(name)),
      input_leaves_(std::move(inputs)),
      output_leaves_(std::move(outputs)),
      inputs_(input_leaves_.size()),
      outputs_(output_leaves_.size()),
      elements_(elements),
      threads_(threads) {}

void LoopStep::run(Slots& slots) {
  for (size_t i = 0; i < input_leaves_.size(); ++i) inputs_[i] = slots[input_leaves_[i]];
  for (size_t i = 0; i < output_leaves_.size(); ++i) outputs_[i] = slots[output_leaves_[i]];
  const int64_t rows = kernel_.rows;
  const int64_t chunks = elements_ < kParallelElements ? 1 : std::min<int64_t>(threads_, rows);
  if (chunks <= 1) {
    kernel_.fn(inputs_.data(), outputs_.data(), 0, rows);
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    kernel_.fn(inputs_.data(), outputs_.data(), rows * chunk / chunks,
               rows * (chunk + 1) / chunks);
  }
}

std::string LoopStep::describe() const {
  return "loop " + name_ + "(" + leaf_list(input_leaves_) + ") -> " + leaf_list(output_leaves_) +
         ", " + std::to_string(kernel_.rows) + " rows";
}

DnnStep::DnnStep(std::string name, std::unique_ptr<DnnKernel> kernel, std::vector<int64_t> inputs,
                 int64_t output)
    : name_(std::move(name)),
      kernel_(std::move(kernel)),
      input_leaves_(std::move(inputs)),
      inputs_(input_leaves_.size()),
      output_leaf_(output) {}

void DnnStep::run(Slots& slots) {
  for (size_t i = 0; i < input_leaves_.size(); ++i) inputs_[i] = slots[input_leaves_[i]];
  kernel_->run(inputs_, slots[output_leaf_]);
}

std::string DnnStep::describe() const {
  return "onednn " + name_ + "(" + leaf_list(input_leaves_) + ") -> %" +
         std::to_string(output_leaf_) + ": " + kernel_->describe();
}

CopyStep::CopyStep(std::vector<int64_t> from, std::vector<int64_t> to, std::vector<int64_t> bytes)
    : from_(std::move(from)), to_(std::move(to)), bytes_(std::move(bytes)) {}

void CopyStep::run(Slots& slots) {
  for (size_t i = 0; i < from_.size(); ++i) {
    parallel_copy(slots[to_[i]], slots[from_[i]], static_cast<size_t>(bytes_[i]));
  }
}

std::string CopyStep::describe() const {
  return "copy (" + leaf_list(from_) + ") -> " + leaf_list(to_);
}

WhileStep::WhileStep(std::string name, std::unique_ptr<Program> condition,
                     std::unique_ptr<Program> body, std::vector<int64_t> init,
                     std::vector<int64_t> state, std::vector<int64_t> bytes)
    : name_(std::move(name)),
      condition_(std::move(condition)),
      body_(std::move(body)),
      init_(std::move(init)),
      state_(std::move(state)),
      bytes_(std::move(bytes)),
      state_buffers_(state_.size()) {}

void WhileStep::run(Slots& slots) {
  std::vector<void*> init(init_.size());
  for (size_t i = 0; i < init_.size(); ++i) {
    init[i] = slots[init_[i]];
    state_buffers_[i] = slots[state_[i]];
  }
  copy_leaves(init, state_buffers_, bytes_);
  while (true) {
    const std::span<void* const> keep_going = condition_->run(state_buffers_);
    if (*static_cast<const uint8_t*>(keep_going[0]) == 0) break;
    const std::span<void* const> next = body_->run(state_buffers_);
    copy_leaves({next.begin(), next.end()}, state_buffers_, bytes_);
  }
}

std::string WhileStep::describe() const {
  return "while " + name_ + "(" + leaf_list(init_) + ") -> " + leaf_list(state_) +
         "\n  condition:\n" + condition_->describe() + "\n  body:\n" + body_->describe();
}

BranchStep::BranchStep(std::string name, int64_t index_leaf, DType index_dtype,
                       std::vector<std::unique_ptr<Program>> branches,
                       std::vector<std::vector<int64_t>> branch_operands,
                       std::vector<int64_t> outputs, std::vector<int64_t> bytes)
    : name_(std::move(name)),
      index_leaf_(index_leaf),
      index_dtype_(index_dtype),
      branches_(std::move(branches)),
      branch_operands_(std::move(branch_operands)),
      outputs_(std::move(outputs)),
      bytes_(std::move(bytes)) {}

void BranchStep::run(Slots& slots) {
  size_t branch = 0;
  if (index_leaf_ >= 0) {
    const void* index = slots[index_leaf_];
    if (index_dtype_ == DType::Pred) {
      // pred selects true_computation (branch 0) when true, as XLA's two-branch form.
      branch = *static_cast<const uint8_t*>(index) != 0 ? 0 : 1;
    } else {
      const int32_t value = *static_cast<const int32_t*>(index);
      branch = value < 0 || static_cast<size_t>(value) >= branches_.size()
                   ? branches_.size() - 1
                   : static_cast<size_t>(value);
    }
  }
  const std::vector<int64_t>& operands = branch_operands_[branch];
  arguments_.resize(operands.size());
  for (size_t i = 0; i < operands.size(); ++i) arguments_[i] = slots[operands[i]];
  const std::span<void* const> results = branches_[branch]->run(arguments_);
  std::vector<void*> outputs(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) outputs[i] = slots[outputs_[i]];
  copy_leaves({results.begin(), results.end()}, outputs, bytes_);
}

std::string BranchStep::describe() const {
  std::string text = (index_leaf_ >= 0 ? "conditional " : "call ") + name_ + " -> " +
                     leaf_list(outputs_);
  for (size_t i = 0; i < branches_.size(); ++i) {
    text += "\n  branch " + std::to_string(i) + " (" + leaf_list(branch_operands_[i]) + "):\n" +
            branches_[i]->describe();
  }
  return text;
}

}  // namespace hlocc::cpu
