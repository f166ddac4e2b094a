// Random HLO programs for differential testing: a seed gives a verified module (a random DAG of
// elementwise, shape, reduce, dot, while and conditional ops over small random shapes) and its
// inputs. The same seed gives the same text and inputs on every machine (no std distributions).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/literal.h"
#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::testing {

struct RandomProgramOptions {
  /// How many random ops the entry computation draws; each may add a few helper instructions
  /// (constants, the guards that keep log and divide in their domains, loop plumbing).
  int64_t min_ops = 5;
  int64_t max_ops = 40;
  /// How deep while bodies and conditional branches may sit inside one another.
  int64_t max_nesting = 2;
};

struct RandomProgram {
  uint64_t seed = 0;
  std::string text;
  std::unique_ptr<ir::Module> module;  // parsed and verified
  std::vector<ir::Literal> args;       // random_arguments(entry, seed)
};

/// The HLO text of program `seed`.
std::string random_program_text(uint64_t seed, const RandomProgramOptions& options = {});

/// Program `seed`, parsed and verified, with its inputs. An Error (with the text) means the
/// generator wrote a module that the parser or verifier rejects: a generator or verifier bug.
Result<RandomProgram> random_program(uint64_t seed, const RandomProgramOptions& options = {});

/// Random values for the entry's parameters: the values `hlocc run FILE --random SEED` uses.
std::vector<ir::Literal> random_arguments(const ir::Computation& entry, uint64_t seed);

}  // namespace hlocc::testing
