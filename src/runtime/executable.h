// Backend and Executable: the interface every compiler backend (reference, cpu, later cuda)
// offers to the front end, the command line and the tests. An Executable is a compiled module:
// run() may be called any number of times, with arguments of the parameters' shapes.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "ir/literal.h"
#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::runtime {

class Executable {
 public:
  virtual ~Executable() = default;
  /// Runs the entry computation; `args` must match its parameters' shapes.
  virtual Result<ir::Literal> run(std::span<const ir::Literal> args) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Compiles a verified module. The module is copied: the caller may change or free it afterwards.
  virtual Result<std::unique_ptr<Executable>> compile(const ir::Module& module) = 0;
};

}  // namespace hlocc::runtime
