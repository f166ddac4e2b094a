// matmul, dot_general and einsum, each lowered to one HLO dot plus the broadcasts, reductions and
// transposes that put operands and result in the layout the caller asked for.
#include "hlocc/linalg.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "hlocc/ops.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::throw_op_error;

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> values;
  for (int64_t i = begin; i < end; ++i) values.push_back(i);
  return values;
}

// x with its leading (batch) dimensions broadcast to `batch`; its last two stay.
Tensor with_batch(const Tensor& x, const std::vector<int64_t>& batch, const Where& where) {
  std::vector<int64_t> dims = batch;
  dims.insert(dims.end(), x.dims().end() - 2, x.dims().end());
  return broadcast_to(x, dims, where);
}

// numpy's broadcast of the batch dimensions (all but the last two) of a and b.
std::vector<int64_t> matmul_batch(const Tensor& a, const Tensor& b, const Where& where) {
  const std::vector<int64_t> x(a.dims().begin(), a.dims().end() - 2);
  const std::vector<int64_t> y(b.dims().begin(), b.dims().end() - 2);
  std::vector<int64_t> batch(std::max(x.size(), y.size()));
  for (size_t i = 0; i < batch.size(); ++i) {
    const int64_t dx = i < batch.size() - x.size() ? 1 : x[i - (batch.size() - x.size())];
    const int64_t dy = i < batch.size() - y.size() ? 1 : y[i - (batch.size() - y.size())];
    if (dx != dy && dx != 1 && dy != 1) {
      throw_op_error("matmul", "batch dimensions cannot be broadcast together", {a, b}, where,
                     "the dimensions before the last two must match or be 1");
    }
    batch[i] = dx == 1 ? dy : dx;
  }
  return batch;
}

// ---- einsum: a spec with one label per operand dimension ----------------------------------------
// Letters are the user's indices. The dimensions "..." stands for get the labels char(1),
// char(2), ... (never letters), aligned from the right across operands as numpy broadcasts them.

struct EinsumSpec {
  std::string text;                 // the user's spec, for messages
  std::vector<std::string> inputs;  // one label per dimension of each operand
  std::string output;               // one label per result dimension
};

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string describe(char label) {
  return is_letter(label) ? std::string("index '") + label + "'" : "a \"...\" dimension";
}

// A term's letters, with "..." kept as one '.', after checking the syntax.
std::string parse_term(const std::string& term, const std::string& spec,
                       const std::vector<Tensor>& operands, const Where& where) {
  std::string labels;
  for (size_t i = 0; i < term.size(); ++i) {
    if (is_letter(term[i])) {
      labels += term[i];
    } else if (term.compare(i, 3, "...") == 0 && labels.find('.') == std::string::npos) {
      labels += '.';
      i += 2;
    } else {
      throw_op_error("einsum",
                     "cannot read \"" + term + "\" in \"" + spec + "\" (at '" + term[i] + "')",
                     operands, where, "subscripts are letters, with at most one \"...\" per term");
    }
  }
  return labels;
}

// `labels` with its '.' replaced by the last `count` of `ellipsis_rank` ellipsis labels.
std::string expand_ellipsis(const std::string& labels, int64_t count, int64_t ellipsis_rank) {
  std::string ellipsis;
  for (int64_t j = ellipsis_rank - count; j < ellipsis_rank; ++j)
    ellipsis += static_cast<char>(1 + j);
  std::string expanded = labels;
  const size_t at = expanded.find('.');
  if (at != std::string::npos) expanded.replace(at, 1, ellipsis);
  return expanded;
}

// Without "->": the ellipsis dimensions, then the letters used exactly once, alphabetically.
std::string implicit_output(const std::vector<std::string>& inputs, int64_t ellipsis_rank) {
  std::map<char, int> uses;
  for (const std::string& labels : inputs) {
    for (char label : labels) ++uses[label];
  }
  std::string output = expand_ellipsis(".", ellipsis_rank, ellipsis_rank);
  for (const auto& [label, count] : uses) {
    if (is_letter(label) && count == 1) output += label;
  }
  return output;
}

void check_labels(const EinsumSpec& spec, const std::vector<Tensor>& operands, const Where& where) {
  for (size_t t = 0; t < spec.inputs.size(); ++t) {
    for (char label : spec.inputs[t]) {
      if (std::count(spec.inputs[t].begin(), spec.inputs[t].end(), label) > 1) {
        throw_op_error("einsum",
                       describe(label) + " repeats in operand " + std::to_string(t) + " of \"" +
                           spec.text + "\" (a diagonal or trace), which is not supported",
                       operands, where, "take the diagonal with other operations first");
      }
    }
  }
  for (char label : spec.output) {
    const bool used = std::any_of(spec.inputs.begin(), spec.inputs.end(), [&](const auto& in) {
      return in.find(label) != std::string::npos;
    });
    if (std::count(spec.output.begin(), spec.output.end(), label) > 1 || !used) {
      throw_op_error("einsum",
                     "output " + describe(label) + " of \"" + spec.text +
                         (used ? "\" repeats" : "\" appears in no operand"),
                     operands, where);
    }
  }
}

// How many dimensions the "..." of operand t's `labels` stands for (0 without one).
int64_t ellipsis_count(const std::string& labels, const std::string& term, size_t t,
                       const std::vector<Tensor>& operands, const Where& where) {
  const bool has_ellipsis = labels.find('.') != std::string::npos;
  const int64_t letters = static_cast<int64_t>(labels.size()) - (has_ellipsis ? 1 : 0);
  const int64_t rank = operands[t].rank();
  if (has_ellipsis ? letters > rank : letters != rank) {
    throw_op_error("einsum",
                   "operand " + std::to_string(t) + " has rank " + std::to_string(rank) +
                       " but \"" + term + "\" names " + std::to_string(letters) + " dimension(s)",
                   operands, where, "use \"...\" for dimensions the subscripts leave out");
  }
  return has_ellipsis ? rank - letters : 0;
}

EinsumSpec parse_spec(const std::string& text, const std::vector<Tensor>& operands,
                      const Where& where) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += c;
  }
  const size_t arrow = compact.find("->");
  std::vector<std::string> terms = {""};
  for (char c : compact.substr(0, arrow)) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  if (terms.size() != operands.size()) {
    throw_op_error("einsum",
                   "\"" + text + "\" names " + std::to_string(terms.size()) + " operand(s) but " +
                       std::to_string(operands.size()) + " were given",
                   operands, where);
  }
  EinsumSpec spec{text, {}, ""};
  std::vector<int64_t> counts;
  for (size_t t = 0; t < terms.size(); ++t) {
    spec.inputs.push_back(parse_term(terms[t], text, operands, where));
    counts.push_back(ellipsis_count(spec.inputs[t], terms[t], t, operands, where));
  }
  const int64_t ellipsis_rank = *std::max_element(counts.begin(), counts.end());
  for (size_t t = 0; t < terms.size(); ++t) {
    spec.inputs[t] = expand_ellipsis(spec.inputs[t], counts[t], ellipsis_rank);
  }
  if (arrow == std::string::npos) {
    spec.output = implicit_output(spec.inputs, ellipsis_rank);
  } else {
    const std::string output = parse_term(compact.substr(arrow + 2), text, operands, where);
    if (ellipsis_rank > 0 && output.find('.') == std::string::npos) {
      throw_op_error("einsum", "the output of \"" + text + "\" leaves out the \"...\" dimensions",
                     operands, where, "write \"...\" in the output too, as numpy requires");
    }
    spec.output = expand_ellipsis(output, ellipsis_rank, ellipsis_rank);
  }
  check_labels(spec, operands, where);
  return spec;
}

// The size of each label: equal wherever it appears, except that "..." dimensions broadcast.
std::map<char, int64_t> label_sizes(const EinsumSpec& spec, const std::vector<Tensor>& operands,
                                    const Where& where) {
  std::map<char, int64_t> sizes;
  for (size_t t = 0; t < spec.inputs.size(); ++t) {
    for (size_t d = 0; d < spec.inputs[t].size(); ++d) {
      const char label = spec.inputs[t][d];
      const int64_t size = operands[t].dims()[d];
      auto [it, inserted] = sizes.try_emplace(label, size);
      if (inserted || it->second == size) continue;
      if (!is_letter(label) && (it->second == 1 || size == 1)) {
        it->second = std::max(it->second, size);
        continue;
      }
      throw_op_error("einsum",
                     describe(label) + " of \"" + spec.text + "\" has different sizes (" +
                         std::to_string(it->second) + " and " + std::to_string(size) + ")",
                     operands, where,
                     is_letter(label) ? "an index must have one size in every operand"
                                      : "\"...\" dimensions must match or be 1");
    }
  }
  return sizes;
}

bool has(const std::string& labels, char label) { return labels.find(label) != std::string::npos; }

// The position of each of `labels` in `in`.
std::vector<int64_t> positions(const std::string& labels, const std::string& in) {
  std::vector<int64_t> result;
  for (char label : labels) result.push_back(static_cast<int64_t>(in.find(label)));
  return result;
}

// Sums x over the labels that neither `other` nor `output` has (they take no further part), and
// broadcasts its size-1 "..." dimensions to their full `sizes`.
Tensor prepare_operand(const Tensor& x, std::string& labels, const std::string& other,
                       const std::string& output, const std::map<char, int64_t>& sizes,
                       const Where& where) {
  std::vector<int64_t> axes;
  std::string kept;
  std::vector<int64_t> dims;
  for (size_t d = 0; d < labels.size(); ++d) {
    if (has(other, labels[d]) || has(output, labels[d])) {
      kept += labels[d];
      dims.push_back(sizes.at(labels[d]));
    } else {
      axes.push_back(static_cast<int64_t>(d));
    }
  }
  labels = kept;
  const Tensor summed = axes.empty() ? x : sum(x, axes, false, where);
  return broadcast_to(summed, dims, where);
}

// Characters of `labels` for which `keep` holds, in order.
template <class Keep>
std::string filtered(const std::string& labels, Keep keep) {
  std::string result;
  for (char label : labels) {
    if (keep(label)) result += label;
  }
  return result;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, Where where) {
  tracing::check_same_dtype(a, b, "matmul", where);
  if (a.rank() == 0 || b.rank() == 0) {
    throw_op_error("matmul", "operands must have at least one dimension", {a, b}, where,
                   "use multiply to scale by a scalar");
  }
  // A vector operand, or a matrix on the right, needs no batch dimensions in the dot: a's leading
  // dimensions (or b's, for a vector a) come out first as free dimensions, in numpy's order.
  // Contracting sizes are checked by dot, whose message names both dimensions.
  if (b.rank() <= 2) return dot_general(a, b, {{a.rank() - 1}, {0}, {}, {}}, where);
  if (a.rank() == 1) return dot_general(a, b, {{0}, {b.rank() - 2}, {}, {}}, where);
  const std::vector<int64_t> batch = matmul_batch(a, b, where);
  const int64_t n = static_cast<int64_t>(batch.size());
  const Tensor lhs = with_batch(a, batch, where);
  const Tensor rhs = with_batch(b, batch, where);
  return dot_general(lhs, rhs, {{n + 1}, {n}, range(0, n), range(0, n)}, where);
}

Tensor dot_general(const Tensor& a, const Tensor& b, const DotDimensions& dims, Where where) {
  tracing::check_same_dtype(a, b, "dot_general", where);
  ir::Attributes attrs;
  // Empty lists are left out, as XLA prints them.
  const std::pair<const char*, const std::vector<int64_t>*> lists[] = {
      {"lhs_batch_dims", &dims.lhs_batch},
      {"lhs_contracting_dims", &dims.lhs_contracting},
      {"rhs_batch_dims", &dims.rhs_batch},
      {"rhs_contracting_dims", &dims.rhs_contracting}};
  for (const auto& [name, list] : lists) {
    if (!list->empty()) attrs.set(name, *list);
  }
  return tracing::emit(ir::Op::Dot, {a, b}, std::move(attrs), {}, where);
}

Tensor einsum(const std::string& spec_text, const std::vector<Tensor>& operands, Where where) {
  if (operands.empty() || operands.size() > 2) {
    throw_op_error("einsum", "supports one or two operands", operands, where,
                   "contract more operands in steps of two");
  }
  if (operands.size() == 2) tracing::check_same_dtype(operands[0], operands[1], "einsum", where);
  const EinsumSpec spec = parse_spec(spec_text, operands, where);
  const std::map<char, int64_t> sizes = label_sizes(spec, operands, where);
  std::vector<std::string> labels = spec.inputs;
  const std::string none;
  const std::string& other_of_0 = operands.size() == 2 ? labels[1] : none;
  Tensor result = prepare_operand(operands[0], labels[0], other_of_0, spec.output, sizes, where);
  std::string result_labels = labels[0];
  if (operands.size() == 2) {
    const Tensor b = prepare_operand(operands[1], labels[1], labels[0], spec.output, sizes, where);
    const std::string& la = labels[0];
    const std::string& lb = labels[1];
    // Shared labels kept in the output are batch dimensions (in output order, so that the dot's
    // result needs no transpose for the usual specs); shared labels left out are contracted.
    const std::string batch =
        filtered(spec.output, [&](char l) { return has(la, l) && has(lb, l); });
    const std::string contracting =
        filtered(la, [&](char l) { return has(lb, l) && !has(spec.output, l); });
    const DotDimensions dims{positions(contracting, la), positions(contracting, lb),
                             positions(batch, la), positions(batch, lb)};
    result = dot_general(result, b, dims, where);
    result_labels = batch + filtered(la, [&](char l) { return !has(lb, l); }) +
                    filtered(lb, [&](char l) { return !has(la, l); });
  }
  const std::vector<int64_t> permutation = positions(spec.output, result_labels);
  if (permutation == range(0, static_cast<int64_t>(permutation.size()))) return result;
  return transpose(result, permutation, where);
}

}  // namespace hlocc
