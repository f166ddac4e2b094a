// VGG19's distinct 3x3 convolution shapes (same padding, channels last as the layout pass lays out
// VGG's activations) on the oneDNN kernels: GFLOP/s of direct f32, Winograd f32, the autotuned
// choice and bf16 multiplies, and the share of the machine's f32 peak, measured first with FMAs
// alone. Each timed run includes the reorders in and out of oneDNN's layouts (none for direct on
// channels last); the weights' reorder is cached while they stay the same, so runs after a weight
// change (as in training) are timed apart.
// Usage: conv_bench [batch=10] [repetitions=5] [threads=2]. Variants are interleaved per repetition
// and the median is reported, because the machine is shared and noisy.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "backends/cpu/onednn/dnn_kernel.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace {

using hlocc::cpu::ConvAlgorithm;
using hlocc::cpu::DnnOptions;
using hlocc::cpu::MatmulPrecision;

struct Layer {
  int64_t in_channels, out_channels, size;
};

// Conv layers of VGG19 with distinct shapes (224x224 input).
constexpr Layer kLayers[] = {{3, 64, 224},    {64, 64, 224},  {64, 128, 112},
                             {128, 128, 112}, {128, 256, 56}, {256, 256, 56},
                             {256, 512, 28},  {512, 512, 28}, {512, 512, 14}};

struct Variant {
  const char* name;
  DnnOptions options;
};

constexpr Variant kVariants[] = {
    {"direct", {ConvAlgorithm::Direct, MatmulPrecision::F32}},
    {"winograd", {ConvAlgorithm::Winograd, MatmulPrecision::F32}},
    {"autotune", {ConvAlgorithm::Autotune, MatmulPrecision::F32}},
    {"bf16", {ConvAlgorithm::Direct, MatmulPrecision::BF16}},
};

std::string conv_text(int64_t batch, const Layer& l) {
  const std::string n = std::to_string(batch), c = std::to_string(l.in_channels);
  const std::string o = std::to_string(l.out_channels), s = std::to_string(l.size);
  return "HloModule conv\nENTRY main {\n  x = f32[" + n + "," + s + "," + s + "," + c +
         "] parameter(0)\n  w = f32[" + o + "," + c + ",3,3] parameter(1)\n  ROOT y = f32[" + n +
         "," + s + "," + s + "," + o +
         "] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_oi01->b01f\n}\n";
}

std::vector<float> random_values(int64_t count, uint32_t seed) {
  std::vector<float> values(static_cast<size_t>(count));
  for (float& value : values) {
    seed = seed * 1664525u + 1013904223u;
    value = static_cast<float>(seed >> 8) / 16777216.0f - 0.5f;
  }
  return values;
}

// One thread's share of the peak measurement: independent chains of AVX-512 FMAs (12, enough to
// hide the FMA latency on two FMA units), nothing from memory; the sum keeps them from being
// dropped.
constexpr int kChains = 12;

__attribute__((target("avx512f,fma"))) float fma_chains(int64_t iterations) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(1.0f + static_cast<float>(i) * 1e-7f);
  const __m512 scale = _mm512_set1_ps(0.999999f), shift = _mm512_set1_ps(1e-7f);
  for (int64_t k = 0; k < iterations; ++k) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], scale, shift);
  }
  for (int i = 1; i < kChains; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  float sum = 0;
  for (float lane : lanes) sum += lane;
  return sum;
}

// The f32 peak of `threads` cores in GFLOP/s.
double fma_peak_gflops(int threads) {
  constexpr int64_t kIterations = 100'000'000;
  float sink = 0;
  const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  sink += fma_chains(kIterations);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sink == 0) std::printf("(sink %g)\n", static_cast<double>(sink));  // keeps the loop
  return static_cast<double>(kIterations) * kChains * 16 * 2 * threads / seconds * 1e-9;
}

// Wall-clock seconds of one run, and the CPU seconds all threads spent in it: on a shared
// machine flops / (cpu / threads) estimates what the threads would reach on idle cores.
struct Timing {
  double wall, cpu;
};

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

Timing time_run(hlocc::cpu::DnnKernel& kernel, const std::vector<const void*>& inputs,
                float* output) {
  const double cpu_start = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  kernel.run(inputs, output);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {wall, cpu_seconds() - cpu_start};
}

struct Samples {
  std::vector<double> wall, cpu;
  void add(Timing t) {
    wall.push_back(t.wall);
    cpu.push_back(t.cpu);
  }
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int bench_layer(int64_t batch, const Layer& layer, int repetitions, int threads, double peak) {
  auto module = hlocc::ir::parse_module(conv_text(batch, layer));
  if (!module.ok() || !hlocc::ir::verify(**module).ok()) return 1;
  const hlocc::ir::Instruction& conv = *(*module)->entry()->root();
  const std::vector<float> x = random_values(conv.operand(0)->shape().element_count(), 1);
  std::vector<float> w = random_values(conv.operand(1)->shape().element_count(), 2);
  std::vector<float> y(static_cast<size_t>(conv.shape().element_count()));
  const std::vector<const void*> inputs = {x.data(), w.data()};
  std::vector<std::unique_ptr<hlocc::cpu::DnnKernel>> kernels;
  for (const Variant& variant : kVariants) {
    auto kernel = hlocc::cpu::make_dnn_kernel(conv, variant.options);
    if (!kernel.ok()) {
      std::fprintf(stderr, "%s\n", kernel.error().what());
      return 1;
    }
    kernels.push_back(std::move(*kernel));
    time_run(*kernels.back(), inputs, y.data());  // warm-up
  }
  // Per variant: runs on unchanged weights (their reorder is cached) and runs right after the
  // weights changed (as in training: the reorder runs again).
  std::vector<Samples> same(kernels.size()), changed(kernels.size());
  for (int r = 0; r < repetitions; ++r) {
    for (size_t v = 0; v < kernels.size(); ++v) {
      time_run(*kernels[v], inputs, y.data());  // catches up with the last weight change
      same[v].add(time_run(*kernels[v], inputs, y.data()));
      w[0] += 1e-3f;
      changed[v].add(time_run(*kernels[v], inputs, y.data()));
    }
  }
  const double flops = 2.0 * static_cast<double>(batch * layer.size * layer.size *
                                                 layer.in_channels * layer.out_channels * 9);
  std::printf("%lld -> %lld channels, %lldx%lld, %.2f GFLOP\n",
              static_cast<long long>(layer.in_channels), static_cast<long long>(layer.out_channels),
              static_cast<long long>(layer.size), static_cast<long long>(layer.size), flops * 1e-9);
  const auto gflops = [&](const std::vector<double>& seconds, double divisor) {
    return flops / (median(seconds) / divisor) * 1e-9;
  };
  for (size_t v = 0; v < kernels.size(); ++v) {
    std::printf(
        "  %-8s %8.1f ms %6.1f GFLOP/s %3.0f%% of peak (cpu-time %6.1f) | new weights %8.1f ms "
        "%6.1f GFLOP/s (cpu-time %6.1f) | %s\n",
        kVariants[v].name, median(same[v].wall) * 1e3, gflops(same[v].wall, 1),
        100 * gflops(same[v].wall, 1) / peak, gflops(same[v].cpu, threads),
        median(changed[v].wall) * 1e3, gflops(changed[v].wall, 1), gflops(changed[v].cpu, threads),
        kernels[v]->describe().c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 10;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 5;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  omp_set_num_threads(threads);
  const double peak = fma_peak_gflops(threads);
  std::printf(
      "VGG19 3x3 convolutions, batch %lld, %d threads, median of %d runs; f32 FMA peak "
      "%.1f GFLOP/s\n",
      static_cast<long long>(batch), threads, repetitions, peak);
  for (const Layer& layer : kLayers) {
    if (bench_layer(batch, layer, repetitions, threads, peak) != 0) return 1;
  }
  return 0;
}
