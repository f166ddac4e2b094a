#include "ir/vjp.h"

#include "ir/check.h"
#include "ir/module.h"

namespace hlocc::ir {

Instruction* VjpBuilder::add(Op op, std::vector<Instruction*> operands, Attributes attrs,
                             std::optional<Shape> shape) {
  Result<Instruction*> added = builder().add(op, std::move(operands), std::move(attrs), shape);
  HLOCC_CHECK(added.ok()) << "a vjp rule of " << op_name(forward().op())
                          << " built broken HLO: " << added.error().message();
  return *added;
}

Instruction* VjpBuilder::full(double value, DType dtype, const std::vector<int64_t>& dims) {
  Literal scalar(Shape::scalar(dtype));
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      scalar.data<T>()[0] = value != 0;
    } else {
      scalar.data<T>()[0] = static_cast<T>(value);
    }
  });
  Instruction* constant = builder().constant(std::move(scalar));
  if (dims.empty()) return constant;
  Attributes attrs;
  attrs.set("dimensions", std::vector<int64_t>{});
  return add(Op::Broadcast, {constant}, std::move(attrs), Shape::array(dtype, dims));
}

Instruction* VjpBuilder::zeros_like(const Instruction* like) {
  HLOCC_CHECK(like->shape().is_array()) << "zeros_like of a tuple";
  return full(0, like->shape().dtype(), like->shape().dims());
}

Instruction* VjpBuilder::compare(Instruction* a, Instruction* b, const char* direction) {
  Attributes attrs;
  attrs.set("direction", std::string(direction));
  return add(Op::Compare, {a, b}, std::move(attrs));
}

Instruction* VjpBuilder::convert(Instruction* x, DType dtype) {
  if (x->shape().dtype() == dtype) return x;
  return add(Op::Convert, {x}, {}, Shape::array(dtype, x->shape().dims()));
}

Instruction* VjpBuilder::reduce_sum(Instruction* x, const std::vector<int64_t>& dims) {
  if (dims.empty()) return x;
  const DType dtype = x->shape().dtype();
  Attributes attrs;
  attrs.set("dimensions", dims);
  attrs.set("to_apply", scalar_computation(Op::Add, dtype));
  return add(Op::Reduce, {x, full(0, dtype, {})}, std::move(attrs));
}

Instruction* VjpBuilder::unbroadcast(Instruction* x, const Shape& shape,
                                     const std::vector<int64_t>& broadcast_dimensions) {
  // Sum over the dims the broadcast added, then reshape away nothing (the kept dims are in order).
  std::vector<int64_t> added;
  for (int64_t d = 0; d < x->shape().rank(); ++d) {
    bool kept = false;
    for (int64_t b : broadcast_dimensions) kept = kept || b == d;
    if (!kept) added.push_back(d);
  }
  Instruction* summed = reduce_sum(x, added);
  if (summed->shape().dims() == shape.dims()) return summed;
  return add(Op::Reshape, {summed}, {}, Shape::array(summed->shape().dtype(), shape.dims()));
}

VjpRule not_differentiable() {
  return [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    return std::vector<Instruction*>(static_cast<size_t>(b.forward().operand_count()), nullptr);
  };
}

VjpRule handled_by_transform() {
  return [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    HLOCC_CHECK(false) << op_name(b.forward().op()) << " is differentiated by the transform";
    return std::vector<Instruction*>{};
  };
}

}  // namespace hlocc::ir
