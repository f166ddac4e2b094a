#include "autodiff/gradient_check.h"

#include <cmath>
#include <sstream>

#include "autodiff/forward.h"
#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/printer.h"

namespace hlocc::testing {
namespace {

double lcg_uniform(uint64_t& state) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
}

// The module with its entry replaced by sum(entry(args) * weights): a scalar loss.
std::unique_ptr<ir::Module> scalar_loss(const ir::Module& module, uint64_t seed) {
  Result<std::unique_ptr<ir::Module>> copy = ir::parse_module(ir::print_module(module));
  HLOCC_CHECK(copy.ok()) << copy.error().message();
  ir::Module& m = **copy;
  ir::Computation* fn = m.entry();
  const ir::Shape result = fn->root()->shape();
  HLOCC_CHECK(result.is_array() && result.dtype() == ir::DType::F64)
      << "gradient checks need an f64 array result; got " << result.to_string(false);
  ir::Computation* sum = m.add_computation(std::make_unique<ir::Computation>(m.fresh_name("sum")));
  {
    ir::Builder b(sum);
    ir::Instruction* x = b.parameter(0, ir::Shape::scalar(ir::DType::F64), "x");
    ir::Instruction* y = b.parameter(1, ir::Shape::scalar(ir::DType::F64), "y");
    HLOCC_CHECK(b.add(ir::Op::Add, {x, y}).ok());
  }
  ir::Computation* entry =
      m.add_computation(std::make_unique<ir::Computation>(m.fresh_name("loss")));
  ir::Builder b(entry);
  std::vector<ir::Instruction*> params;
  for (const ir::Instruction* p : fn->parameters())
    params.push_back(b.parameter(p->parameter_number(), p->shape(), p->name()));
  ir::Attributes to_apply;
  to_apply.set("to_apply", fn);
  ir::Instruction* value = *b.add(ir::Op::Call, params, to_apply);
  ir::Instruction* weights = b.constant(random_f64(result, seed ^ 0x5eed, -1, 1));
  ir::Instruction* weighted = *b.add(ir::Op::Multiply, {value, weights});
  ir::Literal zero(ir::Shape::scalar(ir::DType::F64));
  zero.data<double>()[0] = 0;
  std::vector<int64_t> all;
  for (int64_t d = 0; d < result.rank(); ++d) all.push_back(d);
  ir::Attributes reduce;
  reduce.set("dimensions", all);
  reduce.set("to_apply", sum);
  entry->set_root(*b.add(ir::Op::Reduce, {weighted, b.constant(std::move(zero))}, reduce));
  m.set_entry(entry);
  m.order_callees_first();
  return std::move(*copy);
}

double evaluate_scalar(const ir::Module& module, const std::vector<ir::Literal>& args) {
  Result<ir::Literal> value = reference::evaluate(module, args);
  HLOCC_CHECK(value.ok()) << value.error().message();
  return value->data<double>()[0];
}

}  // namespace

ir::Literal random_f64(const ir::Shape& shape, uint64_t seed, double low, double high) {
  ir::Literal literal(shape);
  uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
  for (double& v : literal.data<double>()) v = low + (high - low) * lcg_uniform(state);
  return literal;
}

std::string check_gradients(const ir::Module& module, const std::vector<ir::Literal>& args,
                            uint64_t seed, const GradientCheckOptions& options) {
  const std::unique_ptr<ir::Module> loss = scalar_loss(module, seed);
  std::vector<int64_t> wrt = options.wrt;
  if (wrt.empty()) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].shape().is_array() && args[i].shape().dtype() == ir::DType::F64)
        wrt.push_back(static_cast<int64_t>(i));
    }
  }
  Result<std::unique_ptr<ir::Module>> grad = autodiff::value_and_grad(*loss, wrt);
  if (!grad.ok()) return "value_and_grad failed: " + grad.error().message();
  Result<ir::Literal> computed = reference::evaluate(**grad, args);
  if (!computed.ok()) {
    return "the gradient module failed to run: " + computed.error().message() + "\n" +
           ir::print_module(**grad);
  }
  std::ostringstream report;
  const double value = evaluate_scalar(*loss, args);
  if (std::abs(computed->element(0).data<double>()[0] - value) > 1e-12 * std::max(1.0, std::abs(value)))
    report << "value differs: " << computed->element(0).data<double>()[0] << " vs " << value << "\n";
  int failures = 0;
  for (size_t k = 0; k < wrt.size(); ++k) {
    const size_t p = static_cast<size_t>(wrt[k]);
    const auto gradient = computed->element(static_cast<int64_t>(k + 1)).data<double>();
    std::vector<ir::Literal> probe = args;
    for (int64_t i = 0; i < args[p].element_count(); ++i) {
      double& x = probe[p].data<double>()[static_cast<size_t>(i)];
      const double original = x;
      const double h = options.step * std::max(1.0, std::abs(original));
      x = original + h;
      const double up = evaluate_scalar(*loss, probe);
      x = original - h;
      const double down = evaluate_scalar(*loss, probe);
      x = original;
      const double fd = (up - down) / (2 * h);
      const double g = gradient[static_cast<size_t>(i)];
      if (!(std::abs(g - fd) <= options.tolerance * std::max(1.0, std::abs(fd)))) {
        if (failures++ < 8)
          report << "parameter " << p << " element " << i << ": grad " << g << ", central difference "
                 << fd << "\n";
      }
    }
  }
  if (failures > 0) report << failures << " gradient element(s) differ\n" << ir::print_module(**grad);
  return report.str();
}

std::string check_jvp(const ir::Module& module, const std::vector<ir::Literal>& args,
                      uint64_t seed, const GradientCheckOptions& options) {
  Result<std::unique_ptr<ir::Module>> copy = ir::parse_module(ir::print_module(module));
  HLOCC_CHECK(copy.ok()) << copy.error().message();
  ir::Module& m = **copy;
  ir::Computation* fn = m.entry();
  std::vector<bool> moves(args.size(), options.wrt.empty());
  for (int64_t i : options.wrt) moves[static_cast<size_t>(i)] = true;
  // Tangents: random for the f64 parameters that move, zeros for the rest.
  std::vector<ir::Literal> tangents;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool random = moves[i] && args[i].shape().is_array() &&
                        args[i].shape().dtype() == ir::DType::F64;
    tangents.push_back(random ? random_f64(args[i].shape(), seed * 31 + i, -1, 1)
                              : ir::Literal(args[i].shape()));
  }
  Result<ir::Computation*> jvp = autodiff::build_jvp(*fn, "jvp");
  if (!jvp.ok()) return "build_jvp failed: " + jvp.error().message();
  ir::Computation* entry = m.add_computation(std::make_unique<ir::Computation>("jvp_entry"));
  {
    ir::Builder b(entry);
    std::vector<ir::Instruction*> operands;
    for (size_t i = 0; i < args.size(); ++i)
      operands.push_back(b.parameter(static_cast<int64_t>(i), args[i].shape(), "x"));
    for (const ir::Literal& t : tangents) operands.push_back(b.constant(t));
    ir::Attributes to_apply;
    to_apply.set("to_apply", *jvp);
    ir::Instruction* call = *b.add(ir::Op::Call, operands, to_apply);
    ir::Attributes index;
    index.set("index", int64_t{1});
    entry->set_root(*b.add(ir::Op::GetTupleElement, {call}, index));
  }
  m.set_entry(entry);
  m.order_callees_first();
  Result<ir::Literal> tangent = reference::evaluate(m, args);
  if (!tangent.ok()) return "the jvp module failed to run: " + tangent.error().message();
  // Central differences of the original module along the tangent.
  auto shifted = [&](double h) {
    std::vector<ir::Literal> probe = args;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!(args[i].shape().is_array() && args[i].shape().dtype() == ir::DType::F64)) continue;
      auto x = probe[i].data<double>();
      const auto t = tangents[i].data<double>();
      for (size_t k = 0; k < x.size(); ++k) x[k] += h * t[k];
    }
    Result<ir::Literal> value = reference::evaluate(module, probe);
    HLOCC_CHECK(value.ok()) << value.error().message();
    return std::move(*value);
  };
  const double h = options.step;
  const ir::Literal up = shifted(h), down = shifted(-h);
  std::ostringstream report;
  int failures = 0;
  const auto jt = tangent->data<double>();
  for (size_t k = 0; k < jt.size(); ++k) {
    const double fd = (up.data<double>()[k] - down.data<double>()[k]) / (2 * h);
    if (!(std::abs(jt[k] - fd) <= options.tolerance * std::max(1.0, std::abs(fd)))) {
      if (failures++ < 8) report << "element " << k << ": jvp " << jt[k] << ", central difference " << fd << "\n";
    }
  }
  if (failures > 0) report << failures << " tangent element(s) differ\n";
  return report.str();
}

}  // namespace hlocc::testing
