// Measurements of the JIT (not assertions: speed is never asserted in tests). Disabled by
// default; run with
//   hlocc_tests --gtest_also_run_disabled_tests --gtest_filter='JitBench.*'
// Prints compile times (one kernel, 60 kernels in one compile() call) and the bandwidth of a
// 10-op elementwise chain over 64M floats on 1 and 2 threads next to memcpy's, medians of 7.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>

#include "backends/cpu/llvm/jit.h"
#include "test_helpers.h"

namespace hlocc::cpu {
namespace {

double median_seconds(int repeats, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// A chain of `ops` cheap elementwise ops (a different mix per `variant`) on f32[dims].
std::string chain_module(const std::string& dims, int ops, int variant) {
  static const char* kOps[] = {"multiply", "add", "maximum", "subtract", "minimum"};
  const std::string s = "f32[" + dims + "]";
  std::string text = "HloModule chain\nENTRY main {\n  x = " + s + " parameter(0)\n  y = " + s +
                     " parameter(1)\n  v0 = " + s + " add(x, y)\n";
  for (int i = 1; i < ops; ++i) {
    const char* op = kOps[(i + variant) % 5];
    const std::string other = i % 2 ? "x" : "v" + std::to_string(i / 2);
    text += "  v" + std::to_string(i) + " = " + s + " " + op + "(v" + std::to_string(i - 1) + ", " +
            other + ")\n";
  }
  text += "  ROOT r = " + s + " negate(v" + std::to_string(ops - 1) + ")\n}\n";
  return text;
}

TEST(JitBench, DISABLED_CompileTime) {
  auto jit = Jit::create(JitOptions{.keep_ir = true});
  ASSERT_TRUE(jit.ok());
  std::vector<std::unique_ptr<ir::Module>> modules;
  std::vector<KernelRequest> requests;
  for (int k = 0; k < 60; ++k) {
    modules.push_back(testing::parse_and_verify(chain_module("64,112,112", 6 + k % 8, k)));
    requests.push_back(
        {modules.back()->entry(), KernelRequest::Kind::Loop, "k" + std::to_string(k)});
  }
  // CPU time as well as wall time: the machine is shared, and compiling is single-threaded.
  const auto cpu_seconds = [](const std::function<void()>& fn) {
    const std::clock_t start = std::clock();
    fn();
    return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  };
  double one_cpu = 0, sixty_cpu = 0;
  const double one = median_seconds(5, [&] {
    one_cpu = cpu_seconds([&] { ASSERT_TRUE((*jit)->compile({&requests[0], 1}).ok()); });
  });
  const double sixty = median_seconds(
      3, [&] { sixty_cpu = cpu_seconds([&] { ASSERT_TRUE((*jit)->compile(requests).ok()); }); });
  std::printf(
      "compile: 1 kernel %.1f ms (cpu %.1f); 60 kernels in one compile() %.1f ms "
      "(cpu %.1f, %.1f ms each)\n",
      one * 1e3, one_cpu * 1e3, sixty * 1e3, sixty_cpu * 1e3, sixty_cpu * 1e3 / 60);
  const std::string& last = (*jit)->ir_dumps().back();
  std::printf("last 60-kernel compile: %s\n", last.substr(0, last.find('\n')).c_str());
}

void run_rows(const LoopKernel& kernel, const void* const* inputs, void* const* outputs,
              int threads) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const int64_t begin = kernel.rows * t / threads;
    const int64_t end = kernel.rows * (t + 1) / threads;
    workers.emplace_back([=] { kernel.fn(inputs, outputs, begin, end); });
  }
  for (std::thread& worker : workers) worker.join();
}

void run_split(int threads, const std::function<void(int64_t, int64_t)>& fn, int64_t n) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([=] { fn(n * t / threads, n * (t + 1) / threads); });
  }
  for (std::thread& worker : workers) worker.join();
}

TEST(JitBench, DISABLED_ElementwiseChainBandwidth) {
  constexpr int64_t n = int64_t{64} << 20;
  auto jit = Jit::create();
  ASSERT_TRUE(jit.ok());
  for (const char* unary : {"negate", "exponential"}) {
    // 10 ops: x * 1.5 + 0.25, max 0, min 4, ..., then `unary`; one input, one output.
    const std::string s = "f32[" + std::to_string(n) + "]";
    std::string text = "HloModule bw\nENTRY main {\n  x = " + s + " parameter(0)\n";
    text += "  a = f32[] constant(1.5)\n  b = f32[] constant(0.25)\n";
    text += "  ab = " + s + " broadcast(a), dimensions={}\n  bb = " + s +
            " broadcast(b), dimensions={}\n";
    const char* chain[] = {"multiply(x, ab)", "add(v0, bb)",      "maximum(v1, x)",
                           "minimum(v2, ab)", "subtract(v3, bb)", "multiply(v4, v4)",
                           "add(v5, x)",      "abs(v6)",          "multiply(v7, ab)"};
    for (int i = 0; i < 9; ++i) {
      text += "  v" + std::to_string(i) + " = " + s + " " + chain[i] + "\n";
    }
    text += "  ROOT r = " + s + " " + unary + "(v8)\n}\n";
    auto module = testing::parse_and_verify(text);
    ASSERT_TRUE(module);
    const KernelRequest request{module->entry(), KernelRequest::Kind::Loop, "bw"};
    auto compiled = (*jit)->compile({&request, 1});
    if (!compiled.ok()) {
      std::printf("bandwidth (%s): not compiled: %s\n", unary, compiled.error().what());
      continue;
    }
    const LoopKernel kernel = compiled->at(0).loop;
    std::vector<float> x(n, 0.5f), y(n, 0.0f);
    const void* inputs[] = {x.data()};
    void* outputs[] = {y.data()};
    const double gigabytes = 2.0 * n * sizeof(float) / 1e9;  // read + write
    for (int threads : {1, 2}) {
      run_rows(kernel, inputs, outputs, threads);  // warm up
      const double t = median_seconds(7, [&] { run_rows(kernel, inputs, outputs, threads); });
      const double copy = median_seconds(7, [&] {
        run_split(
            threads,
            [&](int64_t b, int64_t e) {
              std::memcpy(y.data() + b, x.data() + b, (e - b) * sizeof(float));
            },
            n);
      });
      std::printf(
          "10-op chain ending in %s, 64M f32, %d thread(s): %.1f GB/s (%.1f ms); "
          "memcpy %.1f GB/s (%.1f ms)\n",
          unary, threads, gigabytes / t, t * 1e3, gigabytes / copy, copy * 1e3);
    }
  }
}

}  // namespace
}  // namespace hlocc::cpu
