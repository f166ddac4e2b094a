/// Training data on the host: IDX files (Fashion-MNIST from Debian's dataset-fashion-mnist
/// package), a Dataset of normalized images and labels, seeded shuffling that is the same with
/// every standard library, batching, and a loader that prepares the next batch on a thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "hlocc/host_array.h"

namespace hlocc::nn {

/// Where Debian's dataset-fashion-mnist package installs the four .gz files.
inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
/// The environment variable that overrides kFashionMnistDefaultDir.
inline constexpr const char* kFashionMnistDirVariable = "HLOCC_FASHION_MNIST_DIR";
/// Pixel mean and standard deviation of the training images scaled to [0, 1] (measured on the
/// 60000 training images: 0.28604, 0.35302); images are normalized as (x / 255 - mean) / std.
inline constexpr float kFashionMnistMean = 0.2860f;
inline constexpr float kFashionMnistStd = 0.3530f;
inline constexpr int64_t kFashionMnistClasses = 10;

/// The contents of an IDX file of unsigned bytes (type code 0x08): its dims and row-major values.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;
};

/// Reads a gzip-compressed IDX file of unsigned bytes (an uncompressed file reads too). Checks
/// the magic number (0, 0, 0x08, rank), that every dim is positive, that the data is exactly as
/// long as the dims say, and the gzip checksum; throws hlocc::Error naming the file otherwise.
IdxArray read_idx(const std::string& path);

/// The folder holding Fashion-MNIST: `dir` when not empty, else $HLOCC_FASHION_MNIST_DIR when
/// set and not empty, else kFashionMnistDefaultDir.
std::string fashion_mnist_dir(const std::string& dir = "");

/// A batch: images f32 [B, ...] and labels s32 [B]. Both convert to Tensor implicitly.
struct Batch {
  HostArray images;
  HostArray labels;
};

/// Examples held in host memory: images f32 [N, ...] and labels s32 [N].
class Dataset {
 public:
  /// Throws hlocc::Error unless images is f32 of rank >= 1, labels is s32 [N] and N agree.
  Dataset(HostArray images, HostArray labels);

  enum class Split { Train, Test };
  /// Fashion-MNIST's 60000 training or 10000 test images from `fashion_mnist_dir(dir)`, as f32
  /// [N, 1, 28, 28] normalized with kFashionMnistMean and kFashionMnistStd, labels s32 [N] in
  /// [0, 10). A missing file's error names the path and the Debian package.
  static Dataset fashion_mnist(Split split, const std::string& dir = "");
  /// A dataset from IDX images u8 [N, H, W] and labels u8 [N], normalized as above with
  /// (mean, std): f32 [N, 1, H, W], s32 [N]. Labels must be below `classes`.
  static Dataset from_idx(const IdxArray& images, const IdxArray& labels, float mean, float std,
                          int64_t classes);

  int64_t size() const { return labels_.dims()[0]; }
  const HostArray& images() const { return images_; }
  const HostArray& labels() const { return labels_; }
  /// The examples at `indices` (each in [0, size())), in that order.
  Batch gather(std::span<const int64_t> indices) const;

 private:
  HostArray images_;
  HostArray labels_;
};

/// A uniform integer in [0, bound) from `engine`, by rejection (no modulo bias), written out so
/// that it does not depend on a standard library's std::uniform_int_distribution.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound);

/// A permutation of 0..n-1: Fisher-Yates (for i = n-1 down to 1, swap element i with element
/// uniform_below(i + 1)) driven by std::mt19937_64 seeded with std::seed_seq{seed low 32 bits,
/// seed high 32 bits, epoch low 32 bits, epoch high 32 bits}. The standard specifies both of
/// those exactly, so the order is the same on every platform and standard library.
std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed, int64_t epoch = 0);

struct BatchOptions {
  int64_t batch_size = 64;
  /// Visit the examples in shuffled_indices(size, seed, epoch) order, else in order 0..N-1.
  bool shuffle = true;
  uint64_t seed = 0;
  /// Leave out the last batch when it is smaller than batch_size.
  bool drop_last = false;
};

/// One epoch's batches, built on the calling thread. Keeps a pointer to the dataset, which must
/// outlive it.
class BatchLoader {
 public:
  /// Throws hlocc::Error when batch_size < 1.
  BatchLoader(const Dataset& dataset, BatchOptions options, int64_t epoch = 0);

  int64_t batch_count() const;
  /// Batch i (0 <= i < batch_count()) of this epoch.
  Batch batch(int64_t i) const;
  /// The next batch, or nullopt after the last one.
  std::optional<Batch> next();

 private:
  const Dataset* dataset_;
  BatchOptions options_;
  std::vector<int64_t> order_;
  int64_t next_ = 0;
};

/// Runs a batch producer on a background thread, keeping up to `depth` batches ready, so that
/// preparing batch i+1 overlaps training on batch i. next() returns the batches in the
/// producer's order; an exception thrown by the producer is rethrown by next() after the batches
/// produced before it. Destroying the loader early stops the thread cleanly.
class PrefetchingLoader {
 public:
  /// Called on the background thread until it returns nullopt (the end) or throws.
  using Producer = std::function<std::optional<Batch>()>;

  explicit PrefetchingLoader(Producer produce, size_t depth = 2);
  explicit PrefetchingLoader(BatchLoader loader, size_t depth = 2);
  PrefetchingLoader(const PrefetchingLoader&) = delete;
  PrefetchingLoader& operator=(const PrefetchingLoader&) = delete;
  ~PrefetchingLoader();

  /// Waits for the next batch; nullopt after the last one.
  std::optional<Batch> next();

 private:
  void run();

  Producer produce_;
  size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  bool finished_ = false;  // the producer returned nullopt or threw
  bool stopping_ = false;  // the destructor asks the thread to end
  std::exception_ptr error_;
  std::thread worker_;  // last: it starts after the members it uses exist
};

}  // namespace hlocc::nn
