// Sort, scatter and rng-bit-generator as native loops: the order of work is data dependent, so
// they are not elemental. Comparators and combiners are JIT-compiled scalar functions.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "backends/cpu/steps.h"
#include "ir/ops/native_routines.h"

namespace hlocc::cpu {
namespace {

// Sorts every row along `dimension` of all operands by one permutation, found with a stable
// merge sort (safe even when a comparator is not a strict weak order, e.g. with NaNs).
class SortStep : public Step {
 public:
  SortStep(const ir::Instruction& sort, std::vector<int64_t> inputs, std::vector<int64_t> outputs)
      : name_(sort.name()), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
    const ir::Shape& shape = sort.operand(0)->shape();
    const int64_t dimension = sort.attrs().get<std::vector<int64_t>>("dimensions")->front();
    length_ = shape.dim(dimension);
    stride_ = ir::row_major_strides(shape.dims())[static_cast<size_t>(dimension)];
    rows_ = length_ == 0 ? 0 : shape.element_count() / length_;
    for (const ir::Instruction* operand : sort.operands()) {
      element_bytes_.push_back(ir::dtype_byte_size(operand->shape().dtype()));
    }
  }
  void set_comparator(ScalarFn comparator) { comparator_ = comparator; }

  void run(Slots& slots) override {
    const size_t n = inputs_.size();
    std::vector<const std::byte*> in(n);
    std::vector<std::byte*> out(n);
    for (size_t i = 0; i < n; ++i) {
      in[i] = static_cast<const std::byte*>(slots[inputs_[i]]);
      out[i] = static_cast<std::byte*>(slots[outputs_[i]]);
    }
    std::vector<int64_t> order(static_cast<size_t>(length_));
    std::vector<const void*> args(2 * n);
    uint8_t less = 0;
    void* results[] = {&less};
    for (int64_t row = 0; row < rows_; ++row) {
      // Row r starts at (r / stride) * length * stride + r % stride.
      const int64_t base = row / stride_ * length_ * stride_ + row % stride_;
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        for (size_t i = 0; i < n; ++i) {
          args[2 * i] = in[i] + (base + a * stride_) * element_bytes_[i];
          args[2 * i + 1] = in[i] + (base + b * stride_) * element_bytes_[i];
        }
        comparator_(args.data(), results);
        return less != 0;
      });
      for (size_t i = 0; i < n; ++i) {
        const int64_t size = element_bytes_[i];
        for (int64_t k = 0; k < length_; ++k) {
          std::memcpy(out[i] + (base + k * stride_) * size,
                      in[i] + (base + order[static_cast<size_t>(k)] * stride_) * size,
                      static_cast<size_t>(size));
        }
      }
    }
  }

  std::string describe() const override {
    return "sort " + name_ + "(" + leaf_list(inputs_) + ") -> " + leaf_list(outputs_);
  }

 private:
  std::string name_;
  std::vector<int64_t> inputs_, outputs_, element_bytes_;
  int64_t length_ = 0, stride_ = 1, rows_ = 0;
  ScalarFn comparator_ = nullptr;
};

// Copies the operands into the results, then folds each in-bounds update in with the combiner.
class ScatterStep : public Step {
 public:
  ScatterStep(const ir::Instruction& scatter, std::vector<int64_t> inputs,
              std::vector<int64_t> outputs)
      : scatter_(scatter), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}
  void set_combiner(ScalarFn combiner) { combiner_ = combiner; }

  void run(Slots& slots) override {
    const size_t n = outputs_.size();
    const ir::Shape& index_shape = scatter_.operand(static_cast<int64_t>(n))->shape();
    ir::Literal indices(index_shape);
    if (indices.raw_size() > 0) {
      std::memcpy(indices.raw(), slots[inputs_[n]], static_cast<size_t>(indices.raw_size()));
    }
    std::vector<int64_t> sizes(n);
    std::vector<std::byte*> out(n);
    std::vector<const std::byte*> updates(n);
    std::vector<std::vector<std::byte>> scratch(n);
    for (size_t i = 0; i < n; ++i) {
      const ir::Shape& shape = scatter_.operand(static_cast<int64_t>(i))->shape();
      sizes[i] = ir::dtype_byte_size(shape.dtype());
      out[i] = static_cast<std::byte*>(slots[outputs_[i]]);
      if (shape.byte_size() > 0) {
        std::memcpy(out[i], slots[inputs_[i]], static_cast<size_t>(shape.byte_size()));
      }
      updates[i] = static_cast<const std::byte*>(slots[inputs_[n + 1 + i]]);
      scratch[i].resize(static_cast<size_t>(sizes[i]));
    }
    std::vector<const void*> args(2 * n);
    std::vector<void*> results(n);
    for (size_t i = 0; i < n; ++i) results[i] = scratch[i].data();
    ir::detail::for_each_scatter_update(
        scatter_, indices, [&](int64_t operand_offset, int64_t update_offset) {
          for (size_t i = 0; i < n; ++i) {
            args[i] = out[i] + operand_offset * sizes[i];
            args[n + i] = updates[i] + update_offset * sizes[i];
          }
          combiner_(args.data(), results.data());
          for (size_t i = 0; i < n; ++i) {
            std::memcpy(out[i] + operand_offset * sizes[i], scratch[i].data(),
                        static_cast<size_t>(sizes[i]));
          }
        });
  }

  std::string describe() const override {
    return "scatter " + scatter_.name() + "(" + leaf_list(inputs_) + ") -> " +
           leaf_list(outputs_);
  }

 private:
  const ir::Instruction& scatter_;
  std::vector<int64_t> inputs_, outputs_;
  ScalarFn combiner_ = nullptr;
};

class RngStep : public Step {
 public:
  RngStep(const ir::Instruction& rng, std::vector<int64_t> inputs, std::vector<int64_t> outputs)
      : rng_(rng), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}

  void run(Slots& slots) override {
    const auto words = static_cast<size_t>(rng_.operand(0)->shape().element_count());
    const auto* state = static_cast<const uint64_t*>(slots[inputs_[0]]);
    ir::detail::generate_rng_bits(rng_, {state, words}, static_cast<uint64_t*>(slots[outputs_[0]]),
                                  static_cast<std::byte*>(slots[outputs_[1]]));
  }

  std::string describe() const override {
    return "rng-bit-generator " + rng_.name() + "(" + leaf_list(inputs_) + ") -> " +
           leaf_list(outputs_);
  }

 private:
  const ir::Instruction& rng_;
  std::vector<int64_t> inputs_, outputs_;
};

}  // namespace

std::unique_ptr<Step> make_sort_step(const ir::Instruction& sort, std::vector<int64_t> inputs,
                                     std::vector<int64_t> outputs, CompileContext& context) {
  auto step = std::make_unique<SortStep>(sort, std::move(inputs), std::move(outputs));
  SortStep* raw = step.get();
  context.request(**sort.attrs().get<ir::Computation*>("to_apply"), KernelRequest::Kind::Scalar,
                  [raw](const CompiledKernel& kernel) { raw->set_comparator(kernel.scalar); });
  return step;
}

std::unique_ptr<Step> make_scatter_step(const ir::Instruction& scatter,
                                        std::vector<int64_t> inputs, std::vector<int64_t> outputs,
                                        CompileContext& context) {
  auto step = std::make_unique<ScatterStep>(scatter, std::move(inputs), std::move(outputs));
  ScatterStep* raw = step.get();
  context.request(**scatter.attrs().get<ir::Computation*>("to_apply"),
                  KernelRequest::Kind::Scalar,
                  [raw](const CompiledKernel& kernel) { raw->set_combiner(kernel.scalar); });
  return step;
}

std::unique_ptr<Step> make_rng_step(const ir::Instruction& rng, std::vector<int64_t> inputs,
                                    std::vector<int64_t> outputs) {
  return std::make_unique<RngStep>(rng, std::move(inputs), std::move(outputs));
}

}  // namespace hlocc::cpu
