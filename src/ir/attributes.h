// Instruction attributes (`dimensions={1}`, `window={size=3x3}`, `to_apply=%add`, ...).
// Each attribute name has one kind, fixed by a global table (attr_kind); names not in the table are
// kept verbatim as RawAttr (metadata, sharding, backend_config, ...), so foreign modules
// round-trip.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hlocc::ir {

class Computation;

/// One spatial dimension of a window (reduce-window, select-and-scatter, convolution).
struct WindowDim {
  int64_t size = 1;
  int64_t stride = 1;
  int64_t pad_low = 0;
  int64_t pad_high = 0;
  int64_t lhs_dilation = 1;  // "base dilation" for reduce-window
  int64_t rhs_dilation = 1;  // "window dilation"
  bool reversal = false;
  bool operator==(const WindowDim&) const = default;
};
/// `window={size=3x3 stride=2x2 pad=1_1x0_1 lhs_dilate=1x1 rhs_dilate=2x2 rhs_reversal=0x1}`.
struct Window {
  std::vector<WindowDim> dims;
  bool operator==(const Window&) const = default;
};

/// One dimension of `padding=lo_hi_interior` (negative lo/hi slice instead of padding).
struct PadDim {
  int64_t low = 0;
  int64_t high = 0;
  int64_t interior = 0;
  bool operator==(const PadDim&) const = default;
};
/// `padding=0_0x1_2_1`: dims separated by 'x'.
struct PaddingConfig {
  std::vector<PadDim> dims;
  bool operator==(const PaddingConfig&) const = default;
};

/// One dimension of `slice={[start:limit:stride], ...}`.
struct SliceDim {
  int64_t start = 0;
  int64_t limit = 0;
  int64_t stride = 1;
  bool operator==(const SliceDim&) const = default;
};
struct SliceConfig {
  std::vector<SliceDim> dims;
  bool operator==(const SliceConfig&) const = default;
};

/// `dim_labels=b01f_01io->b01f`: which dimension of input, kernel and output plays which role.
/// Spatial vectors are indexed by spatial dimension number (the digit in the label).
struct ConvDimLabels {
  int64_t input_batch = 0;
  int64_t input_feature = 1;
  std::vector<int64_t> input_spatial;
  int64_t kernel_input_feature = 1;
  int64_t kernel_output_feature = 0;
  std::vector<int64_t> kernel_spatial;
  int64_t output_batch = 0;
  int64_t output_feature = 1;
  std::vector<int64_t> output_spatial;
  bool operator==(const ConvDimLabels&) const = default;
};

/// An attribute whose name hlocc does not interpret: its text after '=', verbatim.
struct RawAttr {
  std::string text;
  bool operator==(const RawAttr&) const = default;
};

using AttrValue =
    std::variant<int64_t, bool, std::vector<int64_t>, std::string, Window, PaddingConfig,
                 SliceConfig, ConvDimLabels, Computation*, std::vector<Computation*>, RawAttr>;

enum class AttrKind {
  Int,              // index=2                       -> int64_t
  Bool,             // is_stable=true                -> bool
  IntList,          // dimensions={0,1}              -> std::vector<int64_t>
  Identifier,       // direction=LT, kind=kLoop      -> std::string (printed bare)
  String,           // custom_call_target="foo"      -> std::string (printed quoted)
  Window,           // window={...}                  -> Window
  Padding,          // padding=0_0x1_1               -> PaddingConfig
  Slice,            // slice={[0:2], [1:3:2]}        -> SliceConfig
  ConvDims,         // dim_labels=b01f_01io->b01f    -> ConvDimLabels
  Computation,      // to_apply=%add                 -> Computation*
  ComputationList,  // branch_computations={%a, %b}  -> std::vector<Computation*>
  Raw,              // anything else                 -> RawAttr
};

/// The kind of the attribute called `name`; Raw for names hlocc does not interpret.
AttrKind attr_kind(std::string_view name);

/// Attributes of one instruction, in insertion order (the printer keeps that order).
class Attributes {
 public:
  using Item = std::pair<std::string, AttrValue>;

  /// Sets `name` to `value`, replacing an existing value in place or appending.
  void set(std::string name, AttrValue value);
  void erase(std::string_view name);
  bool has(std::string_view name) const { return find(name) != nullptr; }
  const AttrValue* find(std::string_view name) const;
  /// The value if present and of type T, else nullptr.
  template <class T>
  const T* get(std::string_view name) const {
    const AttrValue* value = find(name);
    return value ? std::get_if<T>(value) : nullptr;
  }
  /// The integer list `name`, or an empty list where it is absent (optional dimension numbers).
  std::vector<int64_t> int_list_or_empty(std::string_view name) const;
  const std::vector<Item>& items() const { return items_; }
  bool operator==(const Attributes&) const = default;

 private:
  std::vector<Item> items_;
};

}  // namespace hlocc::ir
