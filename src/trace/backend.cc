#include <cstdlib>
#include <memory>
#include <mutex>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "hlocc/backend.h"
#include "hlocc/error.h"
#include "trace/backend_registry.h"

namespace hlocc {
namespace {

std::mutex& backend_mutex() {
  static std::mutex mutex;
  return mutex;
}

void check_backend_name(std::string_view name, std::string_view source) {
  if (name != "cpu" && name != "reference") {
    throw Error(std::string(source) + ": unknown backend \"" + std::string(name) +
                "\"; hint: use cpu or reference");
  }
}

std::string& default_backend_name() {
  static std::string name = [] {
    const char* text = std::getenv("HLOCC_BACKEND");
    if (text == nullptr || *text == '\0') return std::string("cpu");
    check_backend_name(text, "HLOCC_BACKEND");
    return std::string(text);
  }();
  return name;
}

}  // namespace

void set_default_backend(std::string_view name) {
  check_backend_name(name, "set_default_backend");
  const std::lock_guard lock(backend_mutex());
  default_backend_name() = std::string(name);
}

std::string default_backend() {
  const std::lock_guard lock(backend_mutex());
  return default_backend_name();
}

runtime::Backend& tracing::backend_named(const std::string& name) {
  check_backend_name(name, "backend");
  static const std::unique_ptr<runtime::Backend> reference =
      std::make_unique<reference::ReferenceBackend>();
  if (name == "reference") return *reference;
  static const std::unique_ptr<runtime::Backend> cpu = [] {
    Result<cpu::CpuOptions> options = cpu::cpu_options_from_environment();
    if (!options.ok()) throw Error(options.error().message());
    return cpu::make_cpu_backend(*options);
  }();
  return *cpu;
}

}  // namespace hlocc
