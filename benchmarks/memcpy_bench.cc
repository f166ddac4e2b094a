// Memory bandwidth probe: the bar for fused elementwise loops, which the issue asks to reach 70%
// of memcpy's bandwidth. Copies 64M floats (256 MiB) with OpenMP threads, each thread its own
// contiguous slice (the pages were first touched by the same slice, so they are local).
//
// Prints, for glibc's memcpy (non-temporal stores at this size) and for STREAM's scale loop
// `y = a * x` (what a compiled elementwise kernel does, with plain stores: each line stored is
// read first; `a` is a run-time 1 so the loop cannot become a memcpy), the median and best time and
// GB/s counted as bytes read + bytes written (STREAM's convention; a unary elementwise op on
// f32[64M] moves the same bytes, so its time compares directly).
//
//   memcpy_bench [--floats N] [--threads T] [--repeats R]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Options {
  int64_t floats = int64_t{64} << 20;
  int threads = 2;
  int repeats = 20;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "memcpy_bench: %s\nusage: memcpy_bench [--floats N] [--threads T] [--repeats R]\n",
               message.c_str());
  std::exit(2);
}

int64_t positive_integer(const char* flag, const char* text) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < 1)
    usage_error(std::string(flag) + " takes a positive integer; got '" + text + "'");
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error("unknown flag or missing value: " + flag);
    const int64_t value = positive_integer(argv[i], argv[i + 1]);
    ++i;
    if (flag == "--floats") {
      options.floats = value;
    } else if (flag == "--threads") {
      options.threads = static_cast<int>(value);
    } else if (flag == "--repeats") {
      options.repeats = static_cast<int>(value);
    } else {
      usage_error("unknown flag " + flag);
    }
  }
  return options;
}

struct FreeDeleter {
  void operator()(float* pointer) const { std::free(pointer); }
};
using Floats = std::unique_ptr<float[], FreeDeleter>;

Floats allocate(int64_t count) {
  const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
  auto* pointer = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (pointer == nullptr) usage_error("cannot allocate " + std::to_string(bytes) + " bytes");
  return Floats(pointer);
}

// Runs body(begin, end) on each thread's slice of [0, count), the same slices every call.
template <class Body>
void for_each_slice(int64_t count, const Body& body) {
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    body(count * thread / threads, count * (thread + 1) / threads);
  }
}

// Seconds of each of `repeats` calls of copy(); the first, untimed call faults nothing in (the
// buffers were touched already) but warms the threads.
template <class Copy>
std::vector<double> time_copies(int repeats, const Copy& copy) {
  copy();
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    copy();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds;
}

void report(const char* name, const Options& options, const std::vector<double>& seconds) {
  const double moved = 2.0 * static_cast<double>(options.floats) * sizeof(float);
  const double median = seconds[seconds.size() / 2], best = seconds.front();
  std::printf(
      "%-10s %7.1f MiB  %d threads  median %8.2f ms  best %8.2f ms  %6.2f GB/s median  "
      "%6.2f GB/s best (read + write)\n",
      name, options.floats * sizeof(float) / 1048576.0, options.threads, median * 1e3, best * 1e3,
      moved / median / 1e9, moved / best / 1e9);
}

// Exits non-zero unless destination holds source: a probe that copied nothing would be fast.
void check_copy(const char* name, const float* source, const float* destination, int64_t count) {
  if (std::memcmp(source, destination, static_cast<size_t>(count) * sizeof(float)) != 0) {
    std::fprintf(stderr, "memcpy_bench: %s produced a wrong copy\n", name);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  omp_set_num_threads(options.threads);
  const Floats source = allocate(options.floats), destination = allocate(options.floats);
  float* const from = source.get();
  float* const to = destination.get();
  for_each_slice(options.floats, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) from[i] = static_cast<float>(i % 1000003);
    std::memset(to + begin, 0, static_cast<size_t>(end - begin) * sizeof(float));
  });

  const auto memcpy_seconds = time_copies(options.repeats, [&] {
    for_each_slice(options.floats, [&](int64_t begin, int64_t end) {
      std::memcpy(to + begin, from + begin, static_cast<size_t>(end - begin) * sizeof(float));
    });
  });
  check_copy("memcpy", from, to, options.floats);
  report("memcpy", options, memcpy_seconds);

  std::memset(to, 0, static_cast<size_t>(options.floats) * sizeof(float));
  const float scale = static_cast<float>(argc > 0);  // 1, unknown to the compiler
  const auto loop_seconds = time_copies(options.repeats, [&] {
    for_each_slice(options.floats, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) to[i] = scale * from[i];
    });
  });
  check_copy("scale loop", from, to, options.floats);
  report("scale loop", options, loop_seconds);
  return 0;
}
