// The front end of autodiff: the function is traced as a nested computation of the current
// trace, the transform (src/autodiff/) builds its vjp computation next to it, and one `call`
// runs that here. In eager mode the same happens inside a one-off module run at once.
#include "hlocc/autodiff.h"

#include "autodiff/forward.h"
#include "autodiff/reverse.h"
#include "hlocc/ops.h"
#include "ir/custom_call.h"
#include "trace/nested_computation.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace detail {
using tracing::emit;
using tracing::Trace;
using tracing::tuple_elements;

VjpResult vjp_flat(const FlatFunction& fn, const std::vector<Tensor>& inputs,
                   const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& seeds,
                   const Where& where) {
  size_t output_count = 0;
  const std::vector<Tensor> all = tracing::staged(inputs, [&](const std::vector<Tensor>& args) {
    ir::Computation* function;
    std::vector<Tensor> captures;
    {
      Trace nested(*Trace::current(), "differentiated");
      std::vector<Tensor> parameters;
      for (const Tensor& arg : args)
        parameters.push_back(nested.parameter(TensorSpec{arg.dtype(), arg.dims()}));
      const std::vector<Tensor> outputs = fn(parameters);
      output_count = outputs.size();
      function = nested.finish_nested(outputs, outputs.size() != 1, where);
      captures = nested.captures();
    }
    std::vector<Tensor> operands = args;
    operands.insert(operands.end(), captures.begin(), captures.end());
    ir::Attributes call_fn;
    call_fn.set("to_apply", function);
    const Tensor called = emit(ir::Op::Call, operands, call_fn, {}, where);
    std::vector<Tensor> outputs = output_count == 1
                                      ? std::vector<Tensor>{called}
                                      : tuple_elements(called, 0, output_count, where);
    const std::vector<Tensor> output_seeds = seeds(outputs);
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (i >= output_seeds.size() || output_seeds[i].dtype() != outputs[i].dtype() ||
          output_seeds[i].dims() != outputs[i].dims()) {
        throw Error("vjp: the cotangent must have the outputs' structure and types; output " +
                    std::to_string(i) + " is " + outputs[i].shape_string() + ", got " +
                    (i < output_seeds.size() ? output_seeds[i].shape_string() : "nothing") +
                    tracing::user_location(where));
      }
    }
    Result<ir::Computation*> gradient = autodiff::build_vjp(*function, "vjp");
    if (!gradient.ok()) throw Error(gradient.error().message() + tracing::user_location(where));
    operands.push_back(output_count == 1 ? output_seeds[0]
                                         : emit(ir::Op::Tuple, output_seeds, {}, {}, where));
    ir::Attributes call_vjp;
    call_vjp.set("to_apply", *gradient);
    const Tensor result = emit(ir::Op::Call, operands, call_vjp, {}, where);
    std::vector<Tensor> joined = outputs;
    const std::vector<Tensor> cotangents = tuple_elements(result, 1, 1 + args.size(), where);
    joined.insert(joined.end(), cotangents.begin(), cotangents.end());
    return joined;
  });
  const auto split = all.begin() + static_cast<int64_t>(output_count);
  return VjpResult{std::vector<Tensor>(all.begin(), split), std::vector<Tensor>(split, all.end())};
}

std::vector<Tensor> loss_seeds(const std::vector<Tensor>& outputs, const char* what,
                               const Where& where) {
  if (outputs.empty() || outputs[0].rank() != 0 ||
      (outputs[0].dtype() != DType::F32 && outputs[0].dtype() != DType::F64)) {
    throw Error(std::string(what) + ": the function must return an f32 or f64 scalar loss" +
                (outputs.empty() ? "" : "; got " + outputs[0].shape_string()) +
                tracing::user_location(where) +
                "\n  hint: reduce the result to a scalar (e.g. sum or mean), or use vjp");
  }
  std::vector<Tensor> seeds = {full_like_scalar(1, outputs[0].dtype(), where)};
  for (size_t i = 1; i < outputs.size(); ++i) {
    seeds.push_back(broadcast_to(full_like_scalar(0, outputs[i].dtype(), where), outputs[i].dims(),
                                 where));
  }
  return seeds;
}

std::vector<Tensor> zeros_like_all(const std::vector<Tensor>& tensors) {
  std::vector<Tensor> zeros;
  for (const Tensor& t : tensors)
    zeros.push_back(broadcast_to(full_like_scalar(0, t.dtype()), t.dims()));
  return zeros;
}

std::pair<std::vector<Tensor>, std::vector<Tensor>> jvp_flat(const FlatFunction& fn,
                                                             const std::vector<Tensor>& primals,
                                                             const std::vector<Tensor>& tangents,
                                                             const Where& where) {
  if (tangents.size() != primals.size()) {
    throw Error("jvp: the tangents must have the primals' structure; got " +
                std::to_string(tangents.size()) + " tangent leaves for " +
                std::to_string(primals.size()) + " primal leaves" + tracing::user_location(where));
  }
  for (size_t i = 0; i < primals.size(); ++i) {
    if (tangents[i].dtype() != primals[i].dtype() || tangents[i].dims() != primals[i].dims()) {
      throw Error("jvp: each tangent must have its primal's type; primal " + std::to_string(i) +
                  " is " + primals[i].shape_string() + ", got " + tangents[i].shape_string() +
                  tracing::user_location(where));
    }
  }
  size_t output_count = 0;
  std::vector<Tensor> inputs = primals;
  inputs.insert(inputs.end(), tangents.begin(), tangents.end());
  const std::vector<Tensor> all = tracing::staged(inputs, [&](const std::vector<Tensor>& args) {
    const size_t n = primals.size();
    ir::Computation* function;
    std::vector<Tensor> captures;
    {
      Trace nested(*Trace::current(), "differentiated");
      std::vector<Tensor> parameters;
      for (size_t i = 0; i < n; ++i)
        parameters.push_back(nested.parameter(TensorSpec{args[i].dtype(), args[i].dims()}));
      const std::vector<Tensor> outputs = fn(parameters);
      output_count = outputs.size();
      function = nested.finish_nested(outputs, outputs.size() != 1, where);
      captures = nested.captures();
    }
    Result<ir::Computation*> jvp = autodiff::build_jvp(*function, "jvp");
    if (!jvp.ok()) throw Error(jvp.error().message() + tracing::user_location(where));
    // Operands: primals, captures, then their tangents (zero for the captures).
    std::vector<Tensor> operands(args.begin(), args.begin() + static_cast<int64_t>(n));
    operands.insert(operands.end(), captures.begin(), captures.end());
    operands.insert(operands.end(), args.begin() + static_cast<int64_t>(n), args.end());
    const std::vector<Tensor> capture_tangents = zeros_like_all(captures);
    operands.insert(operands.end(), capture_tangents.begin(), capture_tangents.end());
    ir::Attributes call;
    call.set("to_apply", *jvp);
    const Tensor result = emit(ir::Op::Call, operands, call, {}, where);
    std::vector<Tensor> joined;
    for (size_t part = 0; part < 2; ++part) {
      const Tensor value = tuple_elements(result, part, part + 1, where)[0];
      const std::vector<Tensor> leaves = output_count == 1
                                             ? std::vector<Tensor>{value}
                                             : tuple_elements(value, 0, output_count, where);
      joined.insert(joined.end(), leaves.begin(), leaves.end());
    }
    return joined;
  });
  const auto split = all.begin() + static_cast<int64_t>(output_count);
  return {std::vector<Tensor>(all.begin(), split), std::vector<Tensor>(split, all.end())};
}

std::vector<Tensor> custom_vjp_flat(const FlatFunction& fn, const FlatVjp& bwd,
                                    const std::vector<Tensor>& inputs, const Where& where) {
  return tracing::staged(inputs, [&](const std::vector<Tensor>& args) {
    auto no_captures = [&](const Trace& trace, const char* what) {
      if (trace.captures().empty()) return;
      throw Error(std::string("custom_vjp: the ") + what +
                  " uses tensors of the enclosing code; got " +
                  trace.captures()[0].shape_string() + tracing::user_location(where) +
                  "\n  hint: pass them to the function as arguments");
    };
    std::vector<TensorSpec> input_specs, output_specs;
    for (const Tensor& arg : args) input_specs.push_back(TensorSpec{arg.dtype(), arg.dims()});
    ir::Computation* function;
    {
      Trace nested(*Trace::current(), "custom_vjp_fn");
      std::vector<Tensor> parameters;
      for (const TensorSpec& spec : input_specs) parameters.push_back(nested.parameter(spec));
      const std::vector<Tensor> outputs = fn(parameters);
      for (const Tensor& output : outputs)
        output_specs.push_back(TensorSpec{output.dtype(), output.dims()});
      function = nested.finish_nested(outputs, outputs.size() != 1, where);
      no_captures(nested, "function");
    }
    ir::Computation* vjp;
    {
      Trace nested(*Trace::current(), "custom_vjp_bwd");
      std::vector<Tensor> primals, outputs, cotangents;
      for (const TensorSpec& spec : input_specs) primals.push_back(nested.parameter(spec));
      for (const TensorSpec& spec : output_specs) outputs.push_back(nested.parameter(spec));
      for (const TensorSpec& spec : output_specs) cotangents.push_back(nested.parameter(spec));
      const std::vector<Tensor> input_cotangents = bwd(primals, outputs, cotangents);
      for (size_t i = 0; i < input_cotangents.size(); ++i) {
        if (input_cotangents[i].dtype() != input_specs[i].dtype ||
            input_cotangents[i].dims() != input_specs[i].dims) {
          throw Error("custom_vjp: the vjp function must return cotangents of the inputs' types; "
                      "input " + std::to_string(i) + " is " +
                      shape_string(input_specs[i].dtype, input_specs[i].dims) + ", got " +
                      input_cotangents[i].shape_string() + tracing::user_location(where));
        }
      }
      vjp = nested.finish_nested(input_cotangents, true, where);
      no_captures(nested, "vjp function");
    }
    ir::Attributes attrs;
    attrs.set("custom_call_target", std::string(ir::kCustomVjpTarget));
    attrs.set("called_computations", std::vector<ir::Computation*>{function, vjp});
    const Tensor result = emit(ir::Op::CustomCall, args, attrs, function->result_shape(), where);
    if (output_specs.size() == 1) return std::vector<Tensor>{result};
    return tuple_elements(result, 0, output_specs.size(), where);
  });
}

}  // namespace detail

Tensor stop_gradient(const Tensor& x, Where where) {
  ir::Attributes attrs;
  attrs.set("custom_call_target", std::string(ir::kStopGradientTarget));
  return tracing::emit(ir::Op::CustomCall, {x}, attrs, ir::Shape::array(x.dtype(), x.dims()),
                       where);
}

}  // namespace hlocc
