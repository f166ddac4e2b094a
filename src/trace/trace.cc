// trace_function, the public Module, and the jit cache (one traced module per input signature).
#include "hlocc/trace.h"

#include <map>
#include <mutex>

#include "backends/reference/evaluator.h"
#include "ir/printer.h"
#include "trace/tensor_node.h"
#include "trace/trace_context.h"

namespace hlocc {

namespace detail {
struct ModuleHandle {
  std::unique_ptr<ir::Module> module;
};

struct JitCache {
  std::mutex mutex;
  std::map<std::string, Module> modules;  // by input signature
  int64_t trace_count = 0;
};
}  // namespace detail

namespace {

std::vector<ir::Literal> to_literals(const std::vector<HostArray>& arrays) {
  std::vector<ir::Literal> literals;
  for (const HostArray& array : arrays) literals.push_back(tracing::to_literal(array));
  return literals;
}

std::vector<HostArray> to_host_arrays(const ir::Literal& result) {
  if (!result.shape().is_tuple()) return {tracing::to_host_array(result)};
  std::vector<HostArray> arrays;
  for (const ir::Literal& element : result.elements())
    arrays.push_back(tracing::to_host_array(element));
  return arrays;
}

std::string signature(const std::vector<Tensor>& args) {
  std::string key;
  for (const Tensor& arg : args) key += arg.shape_string() + ";";
  return key;
}

}  // namespace

std::string Module::to_string() const { return ir::print_module(*handle_->module); }

int64_t Module::instruction_count() const {
  int64_t count = 0;
  for (const auto& computation : handle_->module->computations())
    count += computation->instruction_count();
  return count;
}

std::vector<HostArray> Module::run(const std::vector<HostArray>& args) const {
  Result<ir::Literal> result = reference::evaluate(*handle_->module, to_literals(args));
  if (!result.ok()) throw result.error();
  return to_host_arrays(*result);
}

Module trace_function(const TensorFunction& fn, const std::vector<TensorSpec>& inputs) {
  tracing::Trace recording("traced");
  std::vector<Tensor> parameters;
  for (const TensorSpec& spec : inputs) parameters.push_back(recording.parameter(spec));
  auto handle = std::make_shared<detail::ModuleHandle>();
  handle->module = recording.finish(fn(parameters));
  return Module(std::move(handle));
}

JitCache::JitCache() : state_(std::make_shared<detail::JitCache>()) {}

std::vector<Tensor> JitCache::call(const TensorFunction& fn,
                                   const std::vector<Tensor>& args) const {
  std::vector<HostArray> values;
  std::vector<TensorSpec> specs;
  for (const Tensor& arg : args) {
    if (arg.is_traced()) {
      throw Error(
          "jit: a traced tensor was passed to a jitted function inside another trace"
          "\n  hint: call the function itself, not its jit, inside traced code");
    }
    values.push_back(arg.to_host());
    specs.push_back(TensorSpec{arg.dtype(), arg.dims()});
  }
  const std::string key = signature(args);
  std::unique_lock lock(state_->mutex);
  auto it = state_->modules.find(key);
  if (it == state_->modules.end()) {
    lock.unlock();
    Module traced = trace_function(fn, specs);
    lock.lock();
    ++state_->trace_count;
    it = state_->modules.try_emplace(key, std::move(traced)).first;
  }
  const Module module = it->second;
  lock.unlock();
  std::vector<Tensor> outputs;
  for (HostArray& output : module.run(values)) outputs.emplace_back(std::move(output));
  return outputs;
}

int64_t JitCache::trace_count() const {
  const std::lock_guard lock(state_->mutex);
  return state_->trace_count;
}

}  // namespace hlocc
