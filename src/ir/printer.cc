// The HLO text printer, in XLA's style: `%` sigils, callees before callers, 2-space indentation,
// floats in the shortest of XLA's two precisions that reads back to the same bits.
#include "ir/printer.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "ir/lexer.h"

namespace hlocc::ir {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// The mantissa width of each floating type, for NaN payloads.
template <class T>
constexpr int kMantissaBits = std::is_same_v<T, Half>       ? 10
                              : std::is_same_v<T, BFloat16> ? 7
                              : std::is_same_v<T, float>    ? 23
                                                            : 52;

template <class T>
uint64_t float_bits(T value) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return value.bits();
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<uint32_t>(value);
  else
    return std::bit_cast<uint64_t>(value);
}

// "nan", "-nan" or, for a payload other than the default quiet NaN's, "nan(0x1f)".
template <class T>
std::string nan_text(T value) {
  const uint64_t bits = float_bits(value);
  const bool negative = (bits >> (sizeof(T) * 8 - 1)) != 0;
  const uint64_t payload = bits & ((uint64_t{1} << kMantissaBits<T>)-1);
  std::string text = negative ? "-nan" : "nan";
  if (payload != uint64_t{1} << (kMantissaBits<T> - 1)) {
    char hex[24];
    std::snprintf(hex, sizeof(hex), "(0x%llx)", static_cast<unsigned long long>(payload));
    text += hex;
  }
  return text;
}

// Reads text back as the parser does (through float for 16-bit types) and compares bits.
template <class T>
bool reads_back(const char* text, T value) {
  using Parsed = std::conditional_t<std::is_same_v<T, double>, double, float>;
  Parsed parsed{};
  const char* end = text + std::char_traits<char>::length(text);
  std::from_chars(text, end, parsed);
  return float_bits(T(parsed)) == float_bits(value);
}

// As XLA's RoundTripFpToString: %g with digits10, else with max_digits10 digits. Integral values
// print without a decimal point ("1"), as XLA prints them.
template <class T>
std::string float_text(T value) {
  const double as_double = static_cast<double>(value);
  if (std::isnan(as_double)) return nan_text(value);
  if (std::isinf(as_double)) return as_double < 0 ? "-inf" : "inf";
  constexpr int kShort = std::is_same_v<T, Half>       ? 3
                         : std::is_same_v<T, BFloat16> ? 2
                                                       : std::numeric_limits<T>::digits10;
  constexpr int kLong = std::is_same_v<T, Half>       ? 5
                        : std::is_same_v<T, BFloat16> ? 4
                                                      : std::numeric_limits<T>::max_digits10;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*g", kShort, as_double);
  if (!reads_back(buffer, value)) std::snprintf(buffer, sizeof(buffer), "%.*g", kLong, as_double);
  return buffer;
}

template <class T>
void append_element(std::string& out, T value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    out += std::to_string(value);
  } else if constexpr (std::is_same_v<T, std::complex<float>> ||
                       std::is_same_v<T, std::complex<double>>) {
    out += "(" + float_text(value.real()) + ", " + float_text(value.imag()) + ")";
  } else {
    out += float_text(value);
  }
}

// Dimension `level` onwards: innermost `{1, 2}`, outer `{ {1, 2}, {3, 4} }`.
template <class T>
void append_dense(std::string& out, const Shape& shape, int64_t level, const T* data,
                  int64_t& next) {
  if (level == shape.rank()) {
    append_element(out, data[next++]);
    return;
  }
  const bool innermost = level + 1 == shape.rank();
  const int64_t size = shape.dim(level);
  out += size == 0 ? "{" : innermost ? "{" : "{ ";
  for (int64_t i = 0; i < size; ++i) {
    if (i > 0) out += ", ";
    append_dense(out, shape, level + 1, data, next);
  }
  out += size == 0 || innermost ? "}" : " }";
}

void append_literal_value(std::string& out, const Literal& literal) {
  const Shape& shape = literal.shape();
  if (shape.is_tuple()) {
    out += "(";
    for (int64_t i = 0; i < shape.tuple_size(); ++i) {
      if (i > 0) out += ", ";
      append_literal_value(out, literal.element(i));
    }
    out += ")";
    return;
  }
  if (!shape.is_array()) return;  // a token has no value
  dispatch_dtype(shape.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    int64_t next = 0;
    append_dense(out, shape, 0, literal.data<T>().data(), next);
  });
}

template <class Field>
std::string join_window(const Window& window, Field field) {
  std::string out;
  for (size_t i = 0; i < window.dims.size(); ++i) {
    if (i > 0) out += "x";
    out += field(window.dims[i]);
  }
  return out;
}

// XLA's window_util::ToString: size always, other fields only where some dimension is not default.
std::string window_text(const Window& window) {
  std::string out;
  auto any = [&](auto predicate) {
    return std::any_of(window.dims.begin(), window.dims.end(), predicate);
  };
  auto add = [&](const char* key, auto field) {
    out += (out.empty() ? "" : " ") + std::string(key) + "=" + join_window(window, field);
  };
  if (!window.dims.empty()) add("size", [](const WindowDim& d) { return std::to_string(d.size); });
  if (any([](const WindowDim& d) { return d.stride != 1; })) {
    add("stride", [](const WindowDim& d) { return std::to_string(d.stride); });
  }
  if (any([](const WindowDim& d) { return d.pad_low != 0 || d.pad_high != 0; })) {
    add("pad", [](const WindowDim& d) {
      return std::to_string(d.pad_low) + "_" + std::to_string(d.pad_high);
    });
  }
  if (any([](const WindowDim& d) { return d.lhs_dilation != 1; })) {
    add("lhs_dilate", [](const WindowDim& d) { return std::to_string(d.lhs_dilation); });
  }
  if (any([](const WindowDim& d) { return d.rhs_dilation != 1; })) {
    add("rhs_dilate", [](const WindowDim& d) { return std::to_string(d.rhs_dilation); });
  }
  if (any([](const WindowDim& d) { return d.reversal; })) {
    add("rhs_reversal", [](const WindowDim& d) { return std::string(d.reversal ? "1" : "0"); });
  }
  return "{" + out + "}";
}

std::string padding_text(const PaddingConfig& padding) {
  if (padding.dims.empty()) return "{}";
  const bool interior = std::any_of(padding.dims.begin(), padding.dims.end(),
                                    [](const PadDim& d) { return d.interior != 0; });
  std::string out;
  for (size_t i = 0; i < padding.dims.size(); ++i) {
    const PadDim& d = padding.dims[i];
    out += (i > 0 ? "x" : "") + std::to_string(d.low) + "_" + std::to_string(d.high);
    if (interior) out += "_" + std::to_string(d.interior);
  }
  return out;
}

std::string slice_text(const SliceConfig& slice) {
  std::string out = "{";
  for (size_t i = 0; i < slice.dims.size(); ++i) {
    const SliceDim& d = slice.dims[i];
    out += (i > 0 ? ", [" : "[") + std::to_string(d.start) + ":" + std::to_string(d.limit);
    if (d.stride != 1) out += ":" + std::to_string(d.stride);
    out += "]";
  }
  return out + "}";
}

// One part of b01f_01io->b01f: letters at their positions, spatial dimension i as digit i.
std::string labels_text(int64_t first_at, char first, int64_t second_at, char second,
                        const std::vector<int64_t>& spatial) {
  std::string out(spatial.size() + 2, '?');
  auto place = [&](int64_t at, char c) {
    if (at >= 0 && at < static_cast<int64_t>(out.size())) out[static_cast<size_t>(at)] = c;
  };
  place(first_at, first);
  place(second_at, second);
  for (size_t i = 0; i < spatial.size(); ++i) place(spatial[i], static_cast<char>('0' + i));
  return out;
}

std::string dim_labels_text(const ConvDimLabels& l) {
  return labels_text(l.input_batch, 'b', l.input_feature, 'f', l.input_spatial) + "_" +
         labels_text(l.kernel_input_feature, 'i', l.kernel_output_feature, 'o', l.kernel_spatial) +
         "->" + labels_text(l.output_batch, 'b', l.output_feature, 'f', l.output_spatial);
}

std::string computation_ref(const Computation* computation) {
  return computation ? "%" + computation->name() : "%<null>";
}

std::string attr_text(const std::string& name, const AttrValue& value) {
  return std::visit(Overloaded{
                        [](int64_t v) { return std::to_string(v); },
                        [](bool v) { return std::string(v ? "true" : "false"); },
                        [](const std::vector<int64_t>& v) { return "{" + join_ints(v) + "}"; },
                        [&](const std::string& v) {
                          return attr_kind(name) == AttrKind::Identifier ? v : escape_string(v);
                        },
                        [](const Window& v) { return window_text(v); },
                        [](const PaddingConfig& v) { return padding_text(v); },
                        [](const SliceConfig& v) { return slice_text(v); },
                        [](const ConvDimLabels& v) { return dim_labels_text(v); },
                        [](Computation* v) { return computation_ref(v); },
                        [](const std::vector<Computation*>& v) {
                          std::string out = "{";
                          for (size_t i = 0; i < v.size(); ++i)
                            out += (i > 0 ? ", " : "") + computation_ref(v[i]);
                          return out + "}";
                        },
                        [](const RawAttr& v) { return v.text; },
                    },
                    value);
}

std::string signature(const Computation& computation) {
  std::string out = "(";
  bool first = true;
  for (const Instruction* parameter : computation.parameters()) {
    if (parameter == nullptr) continue;
    out += (first ? "" : ", ") + parameter->name() + ": " + parameter->shape().to_string();
    first = false;
  }
  out += ") -> ";
  out += computation.root() ? computation.root()->shape().to_string() : "()";
  return out;
}

// Module order, except that a computation is printed after everything it calls (so the text
// always re-parses, even after a pass appended a callee).
void append_in_call_order(const Computation* computation,
                          std::unordered_set<const Computation*>& done,
                          std::vector<const Computation*>& order) {
  if (computation == nullptr || !done.insert(computation).second) return;
  for (const auto& inst : computation->instructions()) {
    for (const Computation* callee : inst->called_computations())
      append_in_call_order(callee, done, order);
  }
  order.push_back(computation);
}

}  // namespace

std::string print_literal_value(const Literal& literal) {
  std::string out;
  append_literal_value(out, literal);
  return out;
}

std::string print_literal(const Literal& literal) {
  return literal.shape().to_string() + " " + print_literal_value(literal);
}

namespace {

// An instruction line with instructions named by `name_of`; `metadata` (op names, source lines)
// printed or left out.
template <class NameOf>
std::string instruction_line(const Instruction& inst, const NameOf& name_of, bool metadata) {
  std::string out = "%" + name_of(inst) + " = " + inst.shape().to_string() + " " +
                    std::string(op_name(inst.op())) + "(";
  if (inst.op() == Op::Parameter) {
    out += std::to_string(inst.parameter_number());
  } else if (inst.op() == Op::Constant && inst.has_literal()) {
    append_literal_value(out, inst.literal());
  }
  for (int64_t i = 0; i < inst.operand_count(); ++i)
    out += (i > 0 ? ", %" : "%") + name_of(*inst.operand(i));
  out += ")";
  for (const auto& [name, value] : inst.attrs().items()) {
    if (metadata || name != "metadata") out += ", " + name + "=" + attr_text(name, value);
  }
  return out;
}

}  // namespace

std::string print_instruction(const Instruction& inst) {
  return instruction_line(
      inst, [](const Instruction& i) { return i.name(); }, true);
}

std::string print_structure(const Computation& computation) {
  std::unordered_map<const Instruction*, size_t> position;
  for (const auto& inst : computation.instructions()) position.emplace(inst.get(), position.size());
  const auto name_of = [&](const Instruction& i) { return std::to_string(position.at(&i)); };
  std::string out;
  for (const auto& inst : computation.instructions()) {
    out += inst.get() == computation.root() ? "ROOT " : "";
    out += instruction_line(*inst, name_of, false) + "\n";
  }
  return out;
}

std::string print_computation(const Computation& computation) {
  const Module* module = computation.parent();
  const bool is_entry = module != nullptr && module->entry() == &computation;
  std::string out =
      (is_entry ? "ENTRY %" : "%") + computation.name() + " " + signature(computation) + " {\n";
  for (const auto& inst : computation.instructions()) {
    out += inst.get() == computation.root() ? "  ROOT " : "  ";
    out += print_instruction(*inst) + "\n";
  }
  return out + "}\n";
}

std::string print_module(const Module& module) {
  std::string out = "HloModule " + module.name();
  for (const auto& [name, value] : module.header_attributes()) out += ", " + name + "=" + value;
  out += "\n";
  std::unordered_set<const Computation*> done;
  std::vector<const Computation*> order;
  for (const auto& computation : module.computations())
    append_in_call_order(computation.get(), done, order);
  for (const Computation* computation : order) out += "\n" + print_computation(*computation);
  return out;
}

}  // namespace hlocc::ir
