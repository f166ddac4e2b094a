// IDX reading (through zlib, so .gz files read directly), Fashion-MNIST, shuffling, batching and
// the prefetching loader. Every malformed file is an hlocc::Error naming the path; nothing reads
// past what the file holds, and a corrupt header cannot make it allocate more than the file has.
#include "hlocc/nn/data.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <utility>

#include "hlocc/error.h"

namespace hlocc::nn {
namespace {

constexpr uint8_t kIdxUnsignedByte = 0x08;
constexpr int kMaxIdxRank = 8;
// Data is read in chunks, so that a header that claims more than the file holds fails on the
// missing bytes instead of allocating what it claims.
constexpr size_t kReadChunk = size_t{1} << 20;

[[noreturn]] void fail_idx(const std::string& path, const std::string& what,
                           const std::string& hint = "") {
  throw Error("read_idx: " + what + "\n  in " + path + (hint.empty() ? "" : "\n  hint: " + hint));
}

std::string hex_byte(uint8_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[byte >> 4], kDigits[byte & 15]};
}

// A gzip (or plain) file open for reading; reads fail with the file's name and zlib's reason.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (file_ == nullptr) {
      fail_idx(path, std::string("cannot open the file; ") + std::strerror(errno));
    }
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;
  ~GzReader() { gzclose_r(file_); }

  // Reads up to `size` bytes, fewer only at the end of the data. A damaged stream (bad deflate
  // data, checksum mismatch, gzip member cut short) throws.
  size_t read(uint8_t* destination, size_t size) {
    size_t total = 0;
    while (total < size) {
      const unsigned request = static_cast<unsigned>(std::min(size - total, kReadChunk));
      const int got = gzread(file_, destination + total, request);
      if (got < 0 || (got == 0 && !gzeof(file_))) throw_stream_error();
      if (got == 0) break;
      total += static_cast<size_t>(got);
    }
    int code = Z_OK;
    gzerror(file_, &code);
    if (code != Z_OK) throw_stream_error();
    return total;
  }

 private:
  [[noreturn]] void throw_stream_error() {
    int code = Z_OK;
    std::string reason = gzerror(file_, &code);
    // zlib starts its message with the path, which the error already names on its own line.
    if (reason.starts_with(path_ + ": ")) reason.erase(0, path_.size() + 2);
    if (code == Z_ERRNO) fail_idx(path_, std::string("cannot read the file; ") + reason);
    const bool cut_short = code == Z_BUF_ERROR;
    fail_idx(path_,
             (cut_short ? "the compressed file is truncated; zlib: "
                        : "the compressed data is corrupt; zlib: ") +
                 reason,
             "download or reinstall the file");
  }

  std::string path_;
  gzFile file_;
};

std::string dims_string(const std::vector<int64_t>& dims) { return shape_string(DType::U8, dims); }

int64_t read_be32(GzReader& reader, const std::string& path) {
  std::array<uint8_t, 4> bytes{};
  if (reader.read(bytes.data(), bytes.size()) != bytes.size()) {
    fail_idx(path, "the file is truncated inside its header");
  }
  return (int64_t{bytes[0]} << 24) | (int64_t{bytes[1]} << 16) | (int64_t{bytes[2]} << 8) |
         int64_t{bytes[3]};
}

// The dims after checking the magic number. Their product is capped at 2^40 as it grows, so the
// element count cannot overflow whatever a corrupt header says.
std::vector<int64_t> read_idx_header(GzReader& reader, const std::string& path) {
  std::array<uint8_t, 4> magic{};
  const size_t got = reader.read(magic.data(), magic.size());
  const std::string shown = hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " +
                            hex_byte(magic[2]) + " " + hex_byte(magic[3]);
  if (got != magic.size() || magic[0] != 0 || magic[1] != 0) {
    fail_idx(path, "not an IDX file; got magic bytes " + shown + " (" + std::to_string(got) +
                       " read), expected 00 00 08 <rank>");
  }
  if (magic[2] != kIdxUnsignedByte) {
    fail_idx(path, "unsupported IDX element type 0x" + hex_byte(magic[2]) +
                       "; only unsigned bytes (0x08) are read");
  }
  if (magic[3] < 1 || magic[3] > kMaxIdxRank) {
    fail_idx(path, "IDX rank must be 1 to " + std::to_string(kMaxIdxRank) + "; got " +
                       std::to_string(magic[3]));
  }
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (int i = 0; i < magic[3]; ++i) {
    dims.push_back(read_be32(reader, path));
    if (dims.back() < 1) fail_idx(path, "IDX dim " + std::to_string(i) + " is 0");
    if (count > (int64_t{1} << 40) / dims.back()) {
      fail_idx(path, "IDX dims are implausibly large (over 2^40 bytes); got " + dims_string(dims));
    }
    count *= dims.back();
  }
  return dims;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzReader reader(path);
  IdxArray array;
  array.dims = read_idx_header(reader, path);
  const auto count = static_cast<size_t>(
      std::accumulate(array.dims.begin(), array.dims.end(), int64_t{1}, std::multiplies<>()));
  size_t filled = 0;
  while (filled < count) {
    array.values.resize(std::min(count, filled + kReadChunk));
    const size_t got = reader.read(array.values.data() + filled, array.values.size() - filled);
    filled += got;
    if (filled < array.values.size()) {
      fail_idx(path, "the data is truncated; got " + std::to_string(filled) + " of the " +
                         std::to_string(count) + " bytes that " + dims_string(array.dims) +
                         " needs");
    }
  }
  // Reading on to the end also makes zlib check the gzip trailer's CRC and length.
  uint8_t extra = 0;
  if (reader.read(&extra, 1) != 0) {
    fail_idx(path, "the file holds more data than its dims say; got more than the " +
                       std::to_string(count) + " bytes of " + dims_string(array.dims));
  }
  return array;
}

std::string fashion_mnist_dir(const std::string& dir) {
  if (!dir.empty()) return dir;
  const char* variable = std::getenv(kFashionMnistDirVariable);
  if (variable != nullptr && *variable != '\0') return variable;
  return kFashionMnistDefaultDir;
}

namespace {

[[noreturn]] void fail_dataset(const std::string& what) { throw Error("Dataset: " + what); }

void check_fashion_mnist_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) return;
  throw Error("fashion_mnist: missing file " + path +
              "\n  hint: install Debian's dataset-fashion-mnist package (apt-get install "
              "dataset-fashion-mnist), or set " +
              std::string(kFashionMnistDirVariable) +
              " (or pass a folder) to where train-images-idx3-ubyte.gz, "
              "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
              "t10k-labels-idx1-ubyte.gz are");
}

}  // namespace

Dataset::Dataset(HostArray images, HostArray labels)
    : images_(std::move(images)), labels_(std::move(labels)) {
  if (images_.dtype() != DType::F32 || images_.rank() < 1) {
    fail_dataset("images must be f32 [N, ...]; got " + images_.shape_string());
  }
  if (labels_.dtype() != DType::S32 || labels_.rank() != 1 ||
      labels_.dims()[0] != images_.dims()[0]) {
    fail_dataset("labels must be s32 [N] with N the images' first dim; got images " +
                 images_.shape_string() + " and labels " + labels_.shape_string());
  }
}

Dataset Dataset::from_idx(const IdxArray& images, const IdxArray& labels, float mean, float std,
                          int64_t classes) {
  if (images.dims.size() != 3 || labels.dims.size() != 1 || images.dims[0] != labels.dims[0]) {
    fail_dataset("IDX images must be u8 [N, H, W] and labels u8 [N]; got images " +
                 dims_string(images.dims) + " and labels " + dims_string(labels.dims));
  }
  // One table for the 256 pixel values: the same float for a value wherever it appears.
  std::array<float, 256> normalized{};
  for (int value = 0; value < 256; ++value) {
    normalized[value] = (static_cast<float>(value) / 255.0f - mean) / std;
  }
  HostArray image_array(DType::F32, {images.dims[0], 1, images.dims[1], images.dims[2]});
  std::transform(images.values.begin(), images.values.end(), image_array.data<float>().begin(),
                 [&](uint8_t value) { return normalized[value]; });
  HostArray label_array(DType::S32, {labels.dims[0]});
  const std::span<int32_t> label_values = label_array.data<int32_t>();
  for (size_t i = 0; i < labels.values.size(); ++i) {
    if (labels.values[i] >= classes) {
      fail_dataset("label " + std::to_string(labels.values[i]) + " at index " + std::to_string(i) +
                   " is not below the " + std::to_string(classes) + " classes");
    }
    label_values[i] = labels.values[i];
  }
  return Dataset(std::move(image_array), std::move(label_array));
}

Dataset Dataset::fashion_mnist(Split split, const std::string& dir) {
  const std::string folder = fashion_mnist_dir(dir);
  const std::string prefix = folder + "/" + (split == Split::Train ? "train" : "t10k");
  const std::string images_path = prefix + "-images-idx3-ubyte.gz";
  const std::string labels_path = prefix + "-labels-idx1-ubyte.gz";
  check_fashion_mnist_file(images_path);
  check_fashion_mnist_file(labels_path);
  return from_idx(read_idx(images_path), read_idx(labels_path), kFashionMnistMean, kFashionMnistStd,
                  kFashionMnistClasses);
}

Batch Dataset::gather(std::span<const int64_t> indices) const {
  std::vector<int64_t> image_dims = images_.dims();
  image_dims[0] = static_cast<int64_t>(indices.size());
  Batch batch{HostArray(DType::F32, image_dims),
              HostArray(DType::S32, {static_cast<int64_t>(indices.size())})};
  const int64_t example_size = size() == 0 ? 0 : images_.element_count() / size();
  const std::span<const float> images = images_.data<float>();
  const std::span<float> batch_images = batch.images.data<float>();
  const std::span<const int32_t> labels = labels_.data<int32_t>();
  const std::span<int32_t> batch_labels = batch.labels.data<int32_t>();
  for (size_t i = 0; i < indices.size(); ++i) {
    const int64_t index = indices[i];
    if (index < 0 || index >= size()) {
      fail_dataset("gather: index " + std::to_string(index) + " is out of range for " +
                   std::to_string(size()) + " examples");
    }
    std::copy_n(images.begin() + index * example_size, example_size,
                batch_images.begin() + static_cast<int64_t>(i) * example_size);
    batch_labels[i] = labels[index];
  }
  return batch;
}

uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  if (bound == 0) throw Error("uniform_below: bound must be positive; got 0");
  // Accept r only when r >= 2^64 mod bound: the accepted range is a whole number of copies of
  // [0, bound), so r % bound is uniform.
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t r = engine();
    if (r >= threshold) return r % bound;
  }
}

std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed, int64_t epoch) {
  if (n < 0) throw Error("shuffled_indices: n must not be negative; got " + std::to_string(n));
  const auto epoch_bits = static_cast<uint64_t>(epoch);
  std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                         static_cast<uint32_t>(epoch_bits),
                         static_cast<uint32_t>(epoch_bits >> 32)};
  std::mt19937_64 engine(sequence);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

BatchLoader::BatchLoader(const Dataset& dataset, BatchOptions options, int64_t epoch)
    : dataset_(&dataset), options_(options) {
  if (options_.batch_size < 1) {
    throw Error("BatchLoader: batch_size must be at least 1; got " +
                std::to_string(options_.batch_size));
  }
  if (options_.shuffle) {
    order_ = shuffled_indices(dataset.size(), options_.seed, epoch);
  } else {
    order_.resize(static_cast<size_t>(dataset.size()));
    std::iota(order_.begin(), order_.end(), int64_t{0});
  }
}

int64_t BatchLoader::batch_count() const {
  const int64_t n = dataset_->size();
  const int64_t size = options_.batch_size;
  return options_.drop_last ? n / size : (n + size - 1) / size;
}

Batch BatchLoader::batch(int64_t i) const {
  if (i < 0 || i >= batch_count()) {
    throw Error("BatchLoader: batch " + std::to_string(i) + " is out of range; this epoch has " +
                std::to_string(batch_count()) + " batches");
  }
  const int64_t begin = i * options_.batch_size;
  const int64_t end = std::min(dataset_->size(), begin + options_.batch_size);
  return dataset_->gather(std::span<const int64_t>(order_).subspan(
      static_cast<size_t>(begin), static_cast<size_t>(end - begin)));
}

std::optional<Batch> BatchLoader::next() {
  if (next_ >= batch_count()) return std::nullopt;
  return batch(next_++);
}

namespace {

size_t checked_depth(size_t depth) {
  if (depth == 0) throw Error("PrefetchingLoader: depth must be at least 1; got 0");
  return depth;
}

}  // namespace

PrefetchingLoader::PrefetchingLoader(Producer produce, size_t depth)
    : produce_(std::move(produce)),
      depth_(checked_depth(depth)),
      worker_(&PrefetchingLoader::run, this) {}

PrefetchingLoader::PrefetchingLoader(BatchLoader loader, size_t depth)
    : PrefetchingLoader([loader = std::move(loader)]() mutable { return loader.next(); }, depth) {}

PrefetchingLoader::~PrefetchingLoader() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void PrefetchingLoader::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || ready_.size() < depth_; });
      if (stopping_) return;
    }
    std::optional<Batch> batch;
    std::exception_ptr error;
    try {
      batch = produce_();
    } catch (...) {
      error = std::current_exception();
    }
    {
      const std::lock_guard lock(mutex_);
      if (batch) {
        ready_.push_back(std::move(*batch));
      } else {
        finished_ = true;
        error_ = std::move(error);  // the thread keeps no reference to the exception
      }
    }
    changed_.notify_all();
    if (!batch) return;
  }
}

std::optional<Batch> PrefetchingLoader::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (!ready_.empty()) {
    Batch batch = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return batch;
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  return std::nullopt;
}

}  // namespace hlocc::nn
