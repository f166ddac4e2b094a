// nn/data: IDX files made here and gzipped with zlib (header, sizes, damaged streams), the
// Fashion-MNIST errors and folder choice, seeded shuffling against its documented algorithm,
// batching, the prefetching loader, and the real dataset when Debian's package is installed.
#include "hlocc/nn/data.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <thread>

#include "hlocc/error.h"

namespace hlocc::nn {
namespace {

namespace fs = std::filesystem;

// An IDX file of unsigned bytes: 00 00 08 rank, big-endian u32 dims, then the values.
std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims,
                               const std::vector<uint8_t>& values, uint8_t type = 0x08) {
  std::vector<uint8_t> bytes = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (const uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(dim >> shift));
  }
  bytes.insert(bytes.end(), values.begin(), values.end());
  return bytes;
}

std::vector<uint8_t> iota_bytes(size_t count) {
  std::vector<uint8_t> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = static_cast<uint8_t>(i * 7 % 256);
  return values;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

// A fresh folder per test, removed afterwards.
class DataFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() / ("hlocc_data_" + std::to_string(getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_gz(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    EXPECT_EQ(gzclose(file), Z_OK);
    return path;
  }
  // The file's raw (compressed) bytes, changed by `edit`.
  void edit_raw(const std::string& path, const std::function<void(std::string&)>& edit) {
    std::string raw;
    {
      std::ifstream in(path, std::ios::binary);
      raw.assign(std::istreambuf_iterator<char>(in), {});
    }
    edit(raw);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << raw;
  }

  fs::path dir_;
};

TEST_F(DataFiles, ReadsGzippedIdx) {
  const std::vector<uint8_t> values = iota_bytes(3 * 4 * 5);
  const IdxArray array = read_idx(write_gz("a.gz", idx_bytes({3, 4, 5}, values)));
  EXPECT_EQ(array.dims, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(array.values, values);
  // Chunked reading crosses 1 MiB boundaries: 1100 x 1000 bytes.
  const std::vector<uint8_t> large = iota_bytes(1100 * 1000);
  EXPECT_EQ(read_idx(write_gz("large.gz", idx_bytes({1100, 1000}, large))).values, large);
}

TEST_F(DataFiles, ReadsUncompressedIdx) {
  const std::string path = (dir_ / "plain").string();
  const std::vector<uint8_t> bytes = idx_bytes({4}, {9, 0, 0, 3});
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_EQ(read_idx(path).values, (std::vector<uint8_t>{9, 0, 0, 3}));
}

TEST_F(DataFiles, RejectsBadHeaders) {
  std::vector<uint8_t> gzip_magic = idx_bytes({2}, {1, 2});
  gzip_magic[0] = 0x1f;
  gzip_magic[1] = 0x8b;
  const std::string bad_magic = write_gz("magic.gz", gzip_magic);
  EXPECT_EQ(error_of([&] { read_idx(bad_magic); }),
            "read_idx: not an IDX file; got magic bytes 1f 8b 08 01 (4 read), expected 00 00 08 "
            "<rank>\n  in " +
                bad_magic);
  const std::string floats = write_gz("float.gz", idx_bytes({1}, {0, 0, 0, 0}, 0x0d));
  EXPECT_NE(error_of([&] {
              read_idx(floats);
            }).find("unsupported IDX element type 0x0d; only unsigned bytes (0x08)"),
            std::string::npos);
  const std::string zero_dim = write_gz("zero.gz", idx_bytes({3, 0}, {}));
  EXPECT_NE(error_of([&] { read_idx(zero_dim); }).find("IDX dim 1 is 0"), std::string::npos);
  const std::string huge = write_gz("huge.gz", idx_bytes({1u << 31, 1u << 31}, {}));
  EXPECT_NE(error_of([&] { read_idx(huge); })
                .find("IDX dims are implausibly large (over 2^40 bytes); got u8[2147483648,"
                      "2147483648]"),
            std::string::npos);
  const std::string rank0 = write_gz("rank0.gz", idx_bytes({}, {}));
  EXPECT_NE(error_of([&] { read_idx(rank0); }).find("IDX rank must be 1 to 8; got 0"),
            std::string::npos);
  const std::string short_header = write_gz("short.gz", {0, 0, 8, 3, 0, 0});
  EXPECT_NE(error_of([&] { read_idx(short_header); }).find("truncated inside its header"),
            std::string::npos);
  const std::string empty = write_gz("empty.gz", {});
  EXPECT_NE(error_of([&] { read_idx(empty); })
                .find("not an IDX file; got magic bytes 00 00 00 00 "
                      "(0 read)"),
            std::string::npos);
}

TEST_F(DataFiles, RejectsWrongDataSizes) {
  const std::string short_data = write_gz("short.gz", idx_bytes({2, 3}, {1, 2, 3, 4, 5}));
  EXPECT_EQ(error_of([&] { read_idx(short_data); }),
            "read_idx: the data is truncated; got 5 of the 6 bytes that u8[2,3] needs\n  in " +
                short_data);
  // A header claiming 2^36 bytes fails on the missing data rather than allocating them.
  const std::string huge = write_gz("huge.gz", idx_bytes({65536, 65536, 16}, {1, 2, 3}));
  EXPECT_NE(error_of([&] { read_idx(huge); }).find("got 3 of the 68719476736 bytes"),
            std::string::npos);
  const std::string long_data = write_gz("long.gz", idx_bytes({2}, {1, 2, 3}));
  EXPECT_NE(error_of([&] {
              read_idx(long_data);
            }).find("holds more data than its dims say; got more than the 2 bytes of u8[2]"),
            std::string::npos);
}

TEST_F(DataFiles, RejectsDamagedGzipStreams) {
  const std::vector<uint8_t> bytes = idx_bytes({100, 100}, iota_bytes(10000));
  const std::string cut = write_gz("cut.gz", bytes);
  edit_raw(cut, [](std::string& raw) { raw.resize(raw.size() / 2); });
  const std::string hint = "\n  hint: download or reinstall the file";
  EXPECT_EQ(error_of([&] { read_idx(cut); }),
            "read_idx: the compressed file is truncated; zlib: unexpected end of file\n  in " +
                cut + hint);
  // The last 8 bytes are the CRC-32 and length of the data: a flipped CRC bit fails the check.
  const std::string flipped = write_gz("crc.gz", bytes);
  edit_raw(flipped, [](std::string& raw) { raw[raw.size() - 8] ^= 1; });
  EXPECT_EQ(error_of([&] { read_idx(flipped); }),
            "read_idx: the compressed data is corrupt; zlib: incorrect data check\n  in " +
                flipped + hint);
  const std::string missing = (dir_ / "none.gz").string();
  EXPECT_EQ(error_of([&] { read_idx(missing); }),
            "read_idx: cannot open the file; No such file or directory\n  in " + missing);
}

TEST_F(DataFiles, MissingFashionMnistNamesThePackageAndPath) {
  const std::string message =
      error_of([&] { Dataset::fashion_mnist(Dataset::Split::Test, dir_.string()); });
  EXPECT_EQ(message.rfind("fashion_mnist: missing file " + dir_.string() +
                              "/t10k-images-idx3-ubyte.gz\n  hint: install Debian's "
                              "dataset-fashion-mnist package (apt-get install "
                              "dataset-fashion-mnist), or set HLOCC_FASHION_MNIST_DIR",
                          0),
            0u)
      << message;
}

TEST_F(DataFiles, FashionMnistFromTheEnvironmentsFolder) {
  // 3 images of 2 x 2 pixels with values 0, 255 and 51.
  const std::vector<uint8_t> pixels = {0, 0, 0, 0, 255, 255, 255, 255, 51, 51, 51, 51};
  write_gz("t10k-images-idx3-ubyte.gz", idx_bytes({3, 2, 2}, pixels));
  write_gz("t10k-labels-idx1-ubyte.gz", idx_bytes({3}, {9, 0, 3}));
  const char* saved = std::getenv(kFashionMnistDirVariable);
  const std::string saved_value = saved == nullptr ? "" : saved;
  setenv(kFashionMnistDirVariable, dir_.c_str(), 1);
  EXPECT_EQ(fashion_mnist_dir(), dir_.string());
  EXPECT_EQ(fashion_mnist_dir("/elsewhere"), "/elsewhere");
  const Dataset data = Dataset::fashion_mnist(Dataset::Split::Test);
  setenv(kFashionMnistDirVariable, "", 1);
  EXPECT_EQ(fashion_mnist_dir(), kFashionMnistDefaultDir);
  saved == nullptr ? unsetenv(kFashionMnistDirVariable)
                   : setenv(kFashionMnistDirVariable, saved_value.c_str(), 1);

  EXPECT_EQ(data.images().shape_string(), "f32[3,1,2,2]");
  EXPECT_EQ(data.labels().shape_string(), "s32[3]");
  const auto images = data.images().data<float>();
  EXPECT_FLOAT_EQ(images[0], -0.2860f / 0.3530f);
  EXPECT_FLOAT_EQ(images[4], (1.0f - 0.2860f) / 0.3530f);
  EXPECT_FLOAT_EQ(images[11], (0.2f - 0.2860f) / 0.3530f);
  EXPECT_EQ(std::vector<int32_t>(data.labels().data<int32_t>().begin(),
                                 data.labels().data<int32_t>().end()),
            (std::vector<int32_t>{9, 0, 3}));
}

TEST(Dataset, RejectsInconsistentInputs) {
  EXPECT_EQ(error_of([] {
              Dataset(HostArray(DType::F32, {4, 2}), HostArray(DType::S32, {3}));
            }),
            "Dataset: labels must be s32 [N] with N the images' first dim; got images f32[4,2] "
            "and labels s32[3]");
  EXPECT_EQ(error_of([] {
              Dataset(HostArray(DType::U8, {4, 2}), HostArray(DType::S32, {4}));
            }),
            "Dataset: images must be f32 [N, ...]; got u8[4,2]");
  const IdxArray images{{2, 1, 1}, {0, 1}};
  EXPECT_EQ(error_of([&] {
              Dataset::from_idx(images, IdxArray{{2}, {1, 10}}, 0, 1, 10);
            }),
            "Dataset: label 10 at index 1 is not below the 10 classes");
  EXPECT_EQ(error_of([&] {
              Dataset::from_idx(images, IdxArray{{3}, {1, 1, 1}}, 0, 1, 10);
            }),
            "Dataset: IDX images must be u8 [N, H, W] and labels u8 [N]; got images u8[2,1,1] "
            "and labels u8[3]");
}

// Example i has image values {i, i + 0.5} and label i.
Dataset numbered(int64_t n) {
  std::vector<float> images;
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    images.insert(images.end(), {static_cast<float>(i), static_cast<float>(i) + 0.5f});
    labels.push_back(static_cast<int32_t>(i));
  }
  return Dataset(HostArray::from_vector<float>({n, 1, 2}, images),
                 HostArray::from_vector<int32_t>({n}, labels));
}

std::vector<int32_t> labels_of(const Batch& batch) {
  const auto labels = batch.labels.data<int32_t>();
  return {labels.begin(), labels.end()};
}

TEST(Shuffle, IsAPermutationReproducibleFromTheSeed) {
  const std::vector<int64_t> order = shuffled_indices(1000, 42);
  EXPECT_EQ(order, shuffled_indices(1000, 42));
  EXPECT_NE(order, shuffled_indices(1000, 43));
  EXPECT_NE(order, shuffled_indices(1000, 42, 1));
  EXPECT_NE(order, shuffled_indices(1000, 42 + (uint64_t{1} << 32)));  // the high half counts
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(order, identity);
  EXPECT_TRUE(shuffled_indices(0, 1).empty());
  // Pinned (a change here changes every seeded training run), and computed independently by a
  // Python transcription of the standard's seed_seq and mt19937_64 and of the Fisher-Yates above.
  EXPECT_EQ(shuffled_indices(10, 42), (std::vector<int64_t>{0, 6, 5, 1, 3, 9, 7, 8, 4, 2}));
  EXPECT_EQ(shuffled_indices(10, 0xfedcba9876543210ull, 3),
            (std::vector<int64_t>{6, 0, 5, 8, 1, 4, 2, 3, 7, 9}));
}

TEST(Shuffle, FollowsTheDocumentedAlgorithm) {
  // n = 3 by hand from the engine: i = 2 swaps with r1 % 3 (r1 >= 2^64 mod 3 = 1, else drawn
  // again), then i = 1 swaps with r2 % 2 (every r accepted).
  for (uint64_t seed : {0ull, 7ull, 123456789ull, 0xfedcba9876543210ull}) {
    std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), 5u, 0u};
    std::mt19937_64 engine(sequence);
    uint64_t r1 = engine();
    while (r1 < 1) r1 = engine();
    std::vector<int64_t> expected = {0, 1, 2};
    std::swap(expected[2], expected[r1 % 3]);
    std::swap(expected[1], expected[engine() % 2]);
    EXPECT_EQ(shuffled_indices(3, seed, 5), expected) << "seed " << seed;
  }
}

TEST(Shuffle, UniformBelowIsUniform) {
  std::mt19937_64 engine(1);
  std::vector<int> counts(3);
  for (int i = 0; i < 30000; ++i) ++counts[uniform_below(engine, 3)];
  for (const int count : counts) EXPECT_NEAR(count, 10000, 400);  // > 4.5 standard deviations
  EXPECT_EQ(uniform_below(engine, 1), 0u);
  EXPECT_THROW(uniform_below(engine, 0), Error);
}

TEST(BatchLoader, BatchesInOrderWithAndWithoutTheLastPartialBatch) {
  const Dataset data = numbered(10);
  BatchLoader loader(data, {.batch_size = 4, .shuffle = false});
  ASSERT_EQ(loader.batch_count(), 3);
  const Batch first = *loader.next();
  EXPECT_EQ(first.images.shape_string(), "f32[4,1,2]");
  EXPECT_EQ(first.images,
            HostArray::from_vector<float>({4, 1, 2}, {0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5}));
  EXPECT_EQ(labels_of(*loader.next()), (std::vector<int32_t>{4, 5, 6, 7}));
  const Batch last = *loader.next();
  EXPECT_EQ(last.images.shape_string(), "f32[2,1,2]");
  EXPECT_EQ(labels_of(last), (std::vector<int32_t>{8, 9}));
  EXPECT_FALSE(loader.next().has_value());

  BatchLoader dropping(data, {.batch_size = 4, .shuffle = false, .drop_last = true});
  EXPECT_EQ(dropping.batch_count(), 2);
  dropping.next();
  EXPECT_EQ(labels_of(*dropping.next()), (std::vector<int32_t>{4, 5, 6, 7}));
  EXPECT_FALSE(dropping.next().has_value());
  EXPECT_EQ(BatchLoader(data, {.batch_size = 5, .drop_last = true}).batch_count(), 2);
  EXPECT_EQ(BatchLoader(data, {.batch_size = 11, .drop_last = true}).batch_count(), 0);
  EXPECT_EQ(BatchLoader(data, {.batch_size = 11}).batch_count(), 1);
}

TEST(BatchLoader, ShuffledBatchesFollowTheSeedsOrder) {
  const Dataset data = numbered(10);
  for (int64_t epoch : {0, 1}) {
    BatchLoader loader(data, {.batch_size = 3, .seed = 9}, epoch);
    std::vector<int32_t> seen;
    while (const std::optional<Batch> batch = loader.next()) {
      const std::vector<int32_t> labels = labels_of(*batch);
      const auto images = batch->images.data<float>();
      for (size_t k = 0; k < labels.size(); ++k) {
        // The image rides with its label: example i is {i, i + 0.5}.
        EXPECT_EQ(images[2 * k], static_cast<float>(labels[k]));
        EXPECT_EQ(images[2 * k + 1], static_cast<float>(labels[k]) + 0.5f);
      }
      seen.insert(seen.end(), labels.begin(), labels.end());
    }
    const std::vector<int64_t> order = shuffled_indices(10, 9, epoch);
    EXPECT_EQ(std::vector<int64_t>(seen.begin(), seen.end()), order);
  }
}

TEST(BatchLoader, RejectsBadArguments) {
  const Dataset data = numbered(3);
  EXPECT_EQ(error_of([&] { BatchLoader(data, {.batch_size = 0}); }),
            "BatchLoader: batch_size must be at least 1; got 0");
  EXPECT_EQ(error_of([&] { BatchLoader(data, {.batch_size = 2}).batch(2); }),
            "BatchLoader: batch 2 is out of range; this epoch has 2 batches");
  const std::vector<int64_t> indices = {0, 3};
  EXPECT_EQ(error_of([&] { data.gather(indices); }),
            "Dataset: gather: index 3 is out of range for 3 examples");
}

TEST(PrefetchingLoader, YieldsTheSameBatchesAsThePlainLoader) {
  const Dataset data = numbered(103);
  const BatchOptions options{.batch_size = 8, .seed = 5};
  for (const size_t depth : {size_t{1}, size_t{3}}) {
    BatchLoader plain(data, options, 2);
    PrefetchingLoader prefetching(BatchLoader(data, options, 2), depth);
    int64_t count = 0;
    while (const std::optional<Batch> expected = plain.next()) {
      const std::optional<Batch> got = prefetching.next();
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(got->images, expected->images);
      EXPECT_EQ(got->labels, expected->labels);
      ++count;
    }
    EXPECT_EQ(count, 13);
    EXPECT_FALSE(prefetching.next().has_value());
    EXPECT_FALSE(prefetching.next().has_value());
  }
}

Batch tiny_batch(int32_t label) {
  return Batch{HostArray::from_vector<float>({1}, {0.0f}),
               HostArray::from_vector<int32_t>({1}, {label})};
}

TEST(PrefetchingLoader, RunsAheadOnAnotherThreadAndStopsEarly) {
  std::atomic<int> produced = 0;
  std::atomic<bool> other_thread = true;
  const std::thread::id consumer = std::this_thread::get_id();
  {
    // An endless producer: only the loader's stop ends it.
    PrefetchingLoader loader(
        [&]() -> std::optional<Batch> {
          other_thread = other_thread && std::this_thread::get_id() != consumer;
          return tiny_batch(produced++);
        },
        2);
    EXPECT_EQ(labels_of(*loader.next()), std::vector<int32_t>{0});
    EXPECT_EQ(labels_of(*loader.next()), std::vector<int32_t>{1});
  }
  EXPECT_TRUE(other_thread);
  // Two taken, at most two waiting, at most one more being made when the stop came.
  EXPECT_LE(produced, 5);
  {
    PrefetchingLoader untouched([] { return std::optional<Batch>(tiny_batch(0)); }, 1);
  }
}

TEST(PrefetchingLoader, RethrowsTheProducersErrorAfterItsBatches) {
  int calls = 0;
  PrefetchingLoader loader(
      [&]() -> std::optional<Batch> {
        if (calls == 2) throw Error("reader: disk on fire");
        return tiny_batch(calls++);
      },
      4);
  EXPECT_EQ(labels_of(*loader.next()), std::vector<int32_t>{0});
  EXPECT_EQ(labels_of(*loader.next()), std::vector<int32_t>{1});
  EXPECT_EQ(error_of([&] { loader.next(); }), "reader: disk on fire");
  EXPECT_FALSE(loader.next().has_value());
  EXPECT_EQ(error_of([] { PrefetchingLoader([] { return std::optional<Batch>(); }, 0); }),
            "PrefetchingLoader: depth must be at least 1; got 0");
}

// The real dataset, from Debian's dataset-fashion-mnist (scripts/install_deps.sh installs it).
class FashionMnist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(fs::path(fashion_mnist_dir()) / "train-images-idx3-ubyte.gz")) return;
    train_ = new Dataset(Dataset::fashion_mnist(Dataset::Split::Train));
    test_ = new Dataset(Dataset::fashion_mnist(Dataset::Split::Test));
  }
  static void TearDownTestSuite() {
    delete train_;
    delete test_;
  }
  void SetUp() override {
    if (train_ == nullptr) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  static std::vector<int64_t> histogram(const Dataset& data) {
    std::vector<int64_t> counts(kFashionMnistClasses);
    for (const int32_t label : data.labels().data<int32_t>()) ++counts.at(label);
    return counts;
  }
  static Dataset* train_;
  static Dataset* test_;
};
Dataset* FashionMnist::train_ = nullptr;
Dataset* FashionMnist::test_ = nullptr;

TEST_F(FashionMnist, HasTheDocumentedSizesAndLabels) {
  EXPECT_EQ(train_->images().shape_string(), "f32[60000,1,28,28]");
  EXPECT_EQ(test_->images().shape_string(), "f32[10000,1,28,28]");
  EXPECT_EQ(histogram(*train_), std::vector<int64_t>(10, 6000));
  EXPECT_EQ(histogram(*test_), std::vector<int64_t>(10, 1000));
  // The first labels: ankle boot, T-shirt, T-shirt, dress, T-shirt, pullover, sneaker, ...
  const auto train_labels = train_->labels().data<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(train_labels.begin(), train_labels.begin() + 12),
            (std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9}));
  const auto test_labels = test_->labels().data<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(test_labels.begin(), test_labels.begin() + 10),
            (std::vector<int32_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
}

TEST_F(FashionMnist, NormalizedTrainingImagesHaveMeanZeroAndStdOne) {
  double sum = 0.0;
  double sum_of_squares = 0.0;
  const auto images = train_->images().data<float>();
  for (const float value : images) {
    sum += value;
    sum_of_squares += static_cast<double>(value) * value;
  }
  const double mean = sum / static_cast<double>(images.size());
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(std::sqrt(sum_of_squares / static_cast<double>(images.size()) - mean * mean), 1.0,
              1e-3);
  // Pixel value 0 (the background) maps to -mean/std.
  EXPECT_FLOAT_EQ(*std::min_element(images.begin(), images.end()), -0.2860f / 0.3530f);
}

TEST_F(FashionMnist, PrefetchedEpochCoversEveryImageOnce) {
  PrefetchingLoader loader(BatchLoader(*test_, {.batch_size = 128, .seed = 1}));
  std::vector<int64_t> counts(kFashionMnistClasses);
  int64_t batches = 0;
  while (const std::optional<Batch> batch = loader.next()) {
    for (const int32_t label : labels_of(*batch)) ++counts.at(label);
    ++batches;
  }
  EXPECT_EQ(batches, 79);  // 78 full batches and one of 16
  EXPECT_EQ(counts, std::vector<int64_t>(10, 1000));
}

}  // namespace
}  // namespace hlocc::nn
