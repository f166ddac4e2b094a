// .npy reading and writing. The header is a Python dict literal
// ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }); this file parses exactly that
// subset and checks every size before use.
#include "runtime/npy.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>

namespace hlocc::runtime {
namespace {

using ir::DType;

static_assert(std::endian::native == std::endian::little, ".npy I/O assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kPreludeSize = 8;  // magic (6) + major + minor version bytes

// The numpy dtypes that have an HLO element type: kind letter and byte size, as in '<f4'.
struct NpyType {
  DType dtype;
  char kind;
  int size;
};
constexpr NpyType kNpyTypes[] = {
    {DType::Pred, 'b', 1}, {DType::S8, 'i', 1},    {DType::S16, 'i', 2}, {DType::S32, 'i', 4},
    {DType::S64, 'i', 8},  {DType::U8, 'u', 1},    {DType::U16, 'u', 2}, {DType::U32, 'u', 4},
    {DType::U64, 'u', 8},  {DType::F16, 'f', 2},   {DType::F32, 'f', 4}, {DType::F64, 'f', 8},
    {DType::C64, 'c', 8},  {DType::C128, 'c', 16},
};

Error file_error(std::string_view name, const std::string& what) {
  return Error(std::string(name) + ": " + what);
}

// What the header dict says.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> dims;
};

// A recursive-descent reader for the header dict. Errors say what was expected and where.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  Result<NpyHeader> parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    HLOCC_TRY_STATUS(expect('{'));
    while (!try_consume('}')) {
      HLOCC_TRY(const std::string key, parse_string());
      HLOCC_TRY_STATUS(expect(':'));
      if (key == "descr" && !seen_descr) {
        seen_descr = true;
        if (peek() != '\'' && peek() != '"') return fail("descr is not a simple dtype string");
        HLOCC_TRY(header.descr, parse_string());
      } else if (key == "fortran_order" && !seen_order) {
        seen_order = true;
        HLOCC_TRY(header.fortran_order, parse_bool());
      } else if (key == "shape" && !seen_shape) {
        seen_shape = true;
        HLOCC_TRY(header.dims, parse_dims());
      } else {
        return fail("unexpected or repeated key '" + key + "'");
      }
      if (!try_consume(',')) {
        HLOCC_TRY_STATUS(expect('}'));
        break;
      }
    }
    if (!seen_descr || !seen_order || !seen_shape) {
      return file_error(name_,
                        "bad .npy header: needs the keys 'descr', 'fortran_order' and 'shape'");
    }
    return header;
  }

 private:
  char peek() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool try_consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  Error fail(const std::string& what) const {
    return file_error(name_, "bad .npy header: " + what + " at offset " + std::to_string(pos_) +
                                 " of \"" + std::string(text_) + "\"");
  }
  Status expect(char c) {
    if (try_consume(c)) return ok_status();
    return fail(std::string("expected '") + c + "'");
  }
  Result<std::string> parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') return fail("expected a quoted string");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return fail("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }
  Result<bool> parse_bool() {
    peek();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    return fail("expected True or False");
  }
  // A Python tuple of non-negative ints: (), (3,), (2, 3). Python 2 files may write 3L.
  Result<std::vector<int64_t>> parse_dims() {
    std::vector<int64_t> dims;
    HLOCC_TRY_STATUS(expect('('));
    while (!try_consume(')')) {
      peek();
      int64_t dim = 0;
      const size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (dim > (std::numeric_limits<int64_t>::max() - 9) / 10)
          return fail("dimension too large");
        dim = dim * 10 + (text_[pos_++] - '0');
      }
      if (pos_ == start) return fail("expected a non-negative dimension");
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
      dims.push_back(dim);
      if (!try_consume(',')) {
        HLOCC_TRY_STATUS(expect(')'));
        break;
      }
    }
    return dims;
  }

  std::string_view text_;
  std::string_view name_;
  size_t pos_ = 0;
};

Result<DType> dtype_from_descr(const std::string& descr, std::string_view name) {
  if (descr.size() >= 2 && descr[0] == '>' && descr != ">i1" && descr != ">u1" && descr != ">b1") {
    return file_error(name, "big-endian data is not supported; got dtype '" + descr +
                                "'\n  hint: save with arr.astype(arr.dtype.newbyteorder('<'))");
  }
  if (descr == "<V2" || descr == "|V2") {
    return file_error(name, "unsupported dtype '" + descr +
                                "' (2-byte void, as bfloat16 is saved)\n  hint: save it as float32");
  }
  if (descr.size() >= 3 &&
      (descr[0] == '<' || descr[0] == '|' || descr[0] == '=' || descr[0] == '>')) {
    for (const NpyType& type : kNpyTypes) {
      if (descr[1] == type.kind && descr.substr(2) == std::to_string(type.size)) return type.dtype;
    }
  }
  return file_error(name,
                    "unsupported dtype '" + descr +
                        "'; supported: bool, int8-64, uint8-64, float16/32/64, complex64/128");
}

std::string descr_of(DType dtype) {
  for (const NpyType& type : kNpyTypes) {
    if (type.dtype == dtype) {
      return (type.size == 1 ? "|" : "<") + std::string(1, type.kind) + std::to_string(type.size);
    }
  }
  HLOCC_CHECK(false) << "descr_of: no numpy dtype for " << ir::dtype_name(dtype);
  __builtin_unreachable();
}

// Element count of dims, or nullopt when it overflows int64 (only a corrupt header does that).
std::optional<int64_t> checked_element_count(const std::vector<int64_t>& dims, int64_t item_size) {
  int64_t count = 1;
  for (const int64_t dim : dims) {
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / item_size / dim) {
      return std::nullopt;
    }
    count *= dim;
  }
  return count;
}

// Copies column-major (Fortran) data into the row-major `out` of shape `dims`: element (i0..in-1)
// of the file sits at sum(i_k * stride_k) with stride_0 = 1, stride_k = stride_{k-1} * dims_{k-1}.
void copy_from_fortran_order(const std::byte* source, const std::vector<int64_t>& dims,
                             int64_t item_size, std::byte* out) {
  const size_t rank = dims.size();
  std::vector<int64_t> strides(rank, 1);
  for (size_t k = 1; k < rank; ++k) strides[k] = strides[k - 1] * dims[k - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t source_offset = 0;
  const std::optional<int64_t> count = checked_element_count(dims, 1);
  for (int64_t i = 0; i < *count; ++i) {
    std::memcpy(out + i * item_size, source + source_offset * item_size,
                static_cast<size_t>(item_size));
    // Advance the row-major index, last dimension fastest.
    for (size_t k = rank; k-- > 0;) {
      source_offset += strides[k];
      if (++index[k] < dims[k]) break;
      source_offset -= strides[k] * dims[k];
      index[k] = 0;
    }
  }
}

// Splits the prelude and returns the header text; `data_offset` is set to where the array begins.
Result<std::string_view> header_text(std::string_view bytes, std::string_view name,
                                     size_t& data_offset) {
  if (bytes.size() < kPreludeSize || bytes.substr(0, kMagic.size()) != kMagic) {
    return file_error(name, "not a .npy file (missing the \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) {
    return file_error(name, "unsupported .npy format version " + std::to_string(major) +
                                "; got a file needing version 1, 2 or 3");
  }
  const size_t length_size = major == 1 ? 2 : 4;
  if (bytes.size() < kPreludeSize + length_size) return file_error(name, "truncated .npy header");
  size_t header_length = 0;
  for (size_t i = 0; i < length_size; ++i) {
    header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[kPreludeSize + i]))
                     << (8 * i);
  }
  const size_t header_start = kPreludeSize + length_size;
  if (bytes.size() - header_start < header_length) {
    return file_error(name, "truncated .npy header; header length says " +
                                std::to_string(header_length) + " bytes, file has " +
                                std::to_string(bytes.size() - header_start));
  }
  data_offset = header_start + header_length;
  std::string_view text = bytes.substr(header_start, header_length);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

Result<ir::Literal> parse_npy(std::string_view bytes, std::string_view name) {
  size_t data_offset = 0;
  HLOCC_TRY(const std::string_view text, header_text(bytes, name, data_offset));
  HLOCC_TRY(const NpyHeader header, HeaderParser(text, name).parse());
  HLOCC_TRY(const DType dtype, dtype_from_descr(header.descr, name));
  const int64_t item_size = ir::dtype_byte_size(dtype);
  const std::optional<int64_t> count = checked_element_count(header.dims, item_size);
  if (!count) return file_error(name, "array too large; got header " + std::string(text));
  const ir::Shape shape = ir::Shape::array(dtype, header.dims);
  const size_t data_size = static_cast<size_t>(*count * item_size);
  const size_t available = bytes.size() - data_offset;
  if (available != data_size) {
    return file_error(name, std::string(available < data_size ? "truncated" : "corrupt") +
                                " .npy data; " + shape.to_string(false) + " needs " +
                                std::to_string(data_size) + " bytes, file has " +
                                std::to_string(available));
  }
  ir::Literal literal(shape);
  const auto* source = reinterpret_cast<const std::byte*>(bytes.data() + data_offset);
  if (header.fortran_order && shape.rank() > 1) {
    copy_from_fortran_order(source, header.dims, item_size, literal.raw());
  } else if (data_size > 0) {
    std::memcpy(literal.raw(), source, data_size);
  }
  if (dtype == DType::Pred) {
    // Any nonzero byte is true; a bool object must hold exactly 0 or 1.
    std::byte* values = literal.raw();
    for (int64_t i = 0; i < *count; ++i) values[i] = std::byte(values[i] != std::byte(0) ? 1 : 0);
  }
  return literal;
}

Result<std::string> to_npy(const ir::Literal& source) {
  const ir::Shape& shape = source.shape();
  if (!shape.is_array()) {
    return Error("write_npy: only arrays have a .npy form; got " + shape.to_string(false) +
                 "\n  hint: write each tuple element to its own file");
  }
  // bf16 has no numpy dtype; every bf16 value is exactly representable in f32.
  std::optional<ir::Literal> widened;
  if (shape.dtype() == DType::BF16) {
    widened.emplace(shape.with_dtype(DType::F32));
    const auto in = source.data<BFloat16>();
    std::copy(in.begin(), in.end(), widened->data<float>().begin());
  }
  const ir::Literal& literal = widened ? *widened : source;
  std::string dims = ir::join_ints(shape.dims(), ", ");
  if (shape.rank() == 1) dims += ',';  // Python's one-element tuple: (3,)
  std::string header = "{'descr': '" + descr_of(literal.shape().dtype()) +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // numpy pads magic + length + header + '\n' to a multiple of 64 bytes.
  const bool version2 = header.size() + 64 + kPreludeSize + 2 > 65535;
  const size_t prefix = kPreludeSize + (version2 ? 4 : 2);
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header += '\n';
  std::string out(kMagic);
  out += static_cast<char>(version2 ? 2 : 1);
  out += '\0';
  for (size_t i = 0; i < prefix - kPreludeSize; ++i) {
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);  // little-endian length
  }
  out += header;
  out.append(reinterpret_cast<const char*>(literal.raw()), static_cast<size_t>(literal.raw_size()));
  return out;
}

Result<ir::Literal> read_npy(const std::string& path) {
  if (std::filesystem::is_directory(path)) return Error(path + ": is a directory, not a .npy file");
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error(path + ": cannot open file: " + std::strerror(errno));
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return Error(path + ": read failed: " + std::strerror(errno));
  return parse_npy(contents.str(), path);
}

Status write_npy(const std::string& path, const ir::Literal& literal) {
  HLOCC_TRY(const std::string bytes, to_npy(literal));
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Error(path + ": cannot create file: " + std::strerror(errno));
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return Error(path + ": write failed: " + std::strerror(errno));
  return ok_status();
}

}  // namespace hlocc::runtime
