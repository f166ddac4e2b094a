// trace_flat, the public Module, and the jit cache (one traced module per input signature).
#include "hlocc/trace.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>

#include "backends/reference/evaluator.h"
#include "hlocc/backend.h"
#include "runtime/executable.h"
#include "trace/backend_registry.h"
#include "ir/printer.h"
#include "trace/tensor_node.h"
#include "trace/trace_context.h"

namespace hlocc {

namespace detail {
struct ModuleHandle {
  std::unique_ptr<ir::Module> module;
  std::vector<ir::Literal> bound_arguments;  // the large host constants, as trailing parameters
  // The module compiled by each backend that has run it, by backend name.
  mutable std::mutex executables_mutex;
  mutable std::map<std::string, std::shared_ptr<runtime::Executable>> executables;
};

struct JitCache {
  struct Entry {
    Module module;
    std::shared_ptr<const void> output_tree;
  };
  std::mutex mutex;
  std::map<std::string, Entry> entries;  // by input signature
  int64_t trace_count = 0;
  Where where;
  // The last call's inputs (paths, structure and shapes, not their data), for the retrace log.
  std::optional<Flattened> last_inputs;

  explicit JitCache(Where w) : where(w) {}
};

Tensor spec_placeholder(const TensorSpec& spec) {
  auto node = std::make_shared<TensorNode>();
  node->shape = ir::Shape::array(spec.dtype, spec.dims);
  return Tensor(std::move(node));
}
}  // namespace detail

namespace {

std::vector<HostArray> to_host_arrays(const ir::Literal& result) {
  if (!result.shape().is_tuple()) return {tracing::to_host_array(result)};
  std::vector<HostArray> arrays;
  for (const ir::Literal& element : result.elements())
    arrays.push_back(tracing::to_host_array(element));
  return arrays;
}

std::string signature(const detail::Flattened& inputs) {
  std::string key = inputs.structure + "|";
  for (const Tensor& leaf : inputs.leaves) key += leaf.shape_string() + ";";
  return key;
}

// Which inputs differ between the last call and this one, for HLOCC_LOG_RETRACE.
std::string retrace_reason(const detail::Flattened& before, const detail::Flattened& now) {
  if (before.structure != now.structure) {
    return "the inputs' structure changed from " + before.structure + " to " + now.structure;
  }
  std::string reason;
  for (size_t i = 0; i < now.leaves.size(); ++i) {
    const std::string was = before.leaves[i].shape_string(), is = now.leaves[i].shape_string();
    if (was == is) continue;
    reason += (reason.empty() ? "" : "; ") + std::string("input ") + now.paths[i] +
              " changed from " + was + " to " + is;
  }
  return reason.empty() ? "an input signature seen before was evicted" : reason;
}

bool log_retrace() {
  const char* flag = std::getenv("HLOCC_LOG_RETRACE");
  return flag != nullptr && std::string(flag) != "0" && std::string(flag) != "";
}

}  // namespace

std::string Module::to_string() const { return ir::print_module(*handle_->module); }

int64_t Module::instruction_count() const {
  int64_t count = 0;
  for (const auto& computation : handle_->module->computations())
    count += computation->instruction_count();
  return count;
}

std::vector<HostArray> Module::bound_arguments() const {
  std::vector<HostArray> arrays;
  for (const ir::Literal& value : handle_->bound_arguments)
    arrays.push_back(tracing::to_host_array(value));
  return arrays;
}

namespace {

// The module compiled by `backend`, compiled on first use and kept with the module.
runtime::Executable& executable_for(const detail::ModuleHandle& handle, const std::string& backend) {
  const std::lock_guard lock(handle.executables_mutex);
  std::shared_ptr<runtime::Executable>& executable = handle.executables[backend];
  if (!executable) {
    Result<std::unique_ptr<runtime::Executable>> compiled =
        tracing::backend_named(backend).compile(*handle.module);
    if (!compiled.ok()) throw compiled.error();
    executable = std::move(*compiled);
  }
  return *executable;
}

}  // namespace

std::vector<HostArray> Module::run(const std::vector<HostArray>& inputs,
                                  const std::string& backend) const {
  const int64_t expected = handle_->module->entry()->parameter_count() -
                           static_cast<int64_t>(handle_->bound_arguments.size());
  if (static_cast<int64_t>(inputs.size()) != expected) {
    throw Error("Module::run: the program takes " + std::to_string(expected) + " inputs; got " +
                std::to_string(inputs.size()));
  }
  std::vector<ir::Literal> args;
  for (const HostArray& input : inputs) args.push_back(tracing::to_literal(input));
  args.insert(args.end(), handle_->bound_arguments.begin(), handle_->bound_arguments.end());
  const std::string& name = backend.empty() ? default_backend() : backend;
  // The evaluator runs the traced module itself: no copy to compile.
  Result<ir::Literal> result = name == "reference" ? reference::evaluate(*handle_->module, args)
                                                   : executable_for(*handle_, name).run(args);
  if (!result.ok()) throw result.error();
  return to_host_arrays(*result);
}

Module detail::trace_flat(const FlatFunction& fn, const std::vector<Tensor>& inputs) {
  tracing::Trace recording("traced");
  std::vector<Tensor> parameters;
  for (const Tensor& input : inputs)
    parameters.push_back(recording.parameter(TensorSpec{input.dtype(), input.dims()}));
  auto handle = std::make_shared<ModuleHandle>();
  const std::vector<Tensor> outputs = fn(parameters);
  handle->bound_arguments = recording.bound_arguments();
  handle->module = recording.finish(outputs);
  return Module(std::move(handle));
}

JitCache::JitCache(Where where) : state_(std::make_shared<detail::JitCache>(where)) {}

std::pair<std::vector<Tensor>, std::shared_ptr<const void>> JitCache::call(
    const detail::Flattened& inputs, const TraceFunction& trace_fn) const {
  std::vector<HostArray> values;
  for (size_t i = 0; i < inputs.leaves.size(); ++i) {
    const Tensor& leaf = inputs.leaves[i];
    if (leaf.is_traced() || !leaf.node()->value) {
      throw Error("jit: input " + inputs.paths[i] + " (" + leaf.shape_string() +
                  ") has no data: it is a traced value or a TensorSpec"
                  "\n  hint: inside traced code call the function itself, not its jit; use "
                  "hlocc::trace to trace with types only");
    }
    values.push_back(leaf.to_host());
  }
  const std::string key = signature(inputs);
  std::unique_lock lock(state_->mutex);
  auto it = state_->entries.find(key);
  if (it == state_->entries.end()) {
    if (log_retrace() && state_->last_inputs) {
      std::cerr << "hlocc: retracing the function jitted at " << state_->where.file_name() << ":"
                << state_->where.line() << " (trace " << state_->trace_count + 1
                << "): " << retrace_reason(*state_->last_inputs, inputs) << "\n";
    }
    lock.unlock();
    std::shared_ptr<const void> output_tree;
    Module traced = detail::trace_flat(
        [&](const std::vector<Tensor>& parameters) {
          auto [leaves, tree] = trace_fn(parameters);
          output_tree = std::move(tree);
          return leaves;
        },
        inputs.leaves);
    lock.lock();
    ++state_->trace_count;
    it = state_->entries.try_emplace(key, detail::JitCache::Entry{traced, output_tree}).first;
  }
  detail::Flattened types = inputs;
  for (Tensor& leaf : types.leaves)
    leaf = detail::spec_placeholder(TensorSpec{leaf.dtype(), leaf.dims()});
  state_->last_inputs = std::move(types);
  const detail::JitCache::Entry entry = it->second;
  lock.unlock();
  std::vector<Tensor> outputs;
  for (HostArray& output : entry.module.run(values)) outputs.emplace_back(std::move(output));
  return {std::move(outputs), entry.output_tree};
}

int64_t JitCache::trace_count() const {
  const std::lock_guard lock(state_->mutex);
  return state_->trace_count;
}

}  // namespace hlocc
