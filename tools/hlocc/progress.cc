// ProgressBar: numbers are formatted with snprintf so that the output does not depend on the
// stream's locale or flags (tests compare whole lines).
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "hlocc/error.h"

namespace hlocc::tools {
namespace {

// A terminal is redrawn at most this often: faster is invisible and costs terminal time.
constexpr double kRedrawSeconds = 0.1;
constexpr int64_t kBarWidth = 20;

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string bar(int64_t done, int64_t total) {
  const int64_t filled = std::clamp<int64_t>(done * kBarWidth / total, 0, kBarWidth);
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "]";
}

void check_positive(const char* name, int64_t value) {
  if (value < 1) {
    throw Error(std::string("progress: ") + name + " must be positive; got " +
                std::to_string(value));
  }
}

}  // namespace

Clock steady_clock_seconds() {
  return [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return text;
}

ProgressBar::ProgressBar(std::ostream& out, ProgressOptions options, Clock clock)
    : out_(out), options_(options), clock_(std::move(clock)) {
  check_positive("epochs", options_.epochs);
  check_positive("steps_per_epoch", options_.steps_per_epoch);
  check_positive("batch_size", options_.batch_size);
  check_positive("log_every", options_.log_every);
}

void ProgressBar::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  steps_ = 0;
  loss_sum_ = 0.0;
  epoch_start_ = clock_();
  last_draw_ = epoch_start_ - kRedrawSeconds;
}

double ProgressBar::images_per_second() const {
  const double seconds = elapsed();
  if (seconds <= 0.0) return 0.0;
  return static_cast<double>(steps_ * options_.batch_size) / seconds;
}

std::string ProgressBar::status_line() const {
  const std::string epochs = std::to_string(options_.epochs);
  const std::string steps = std::to_string(options_.steps_per_epoch);
  std::string line = "epoch " + std::to_string(epoch_) + "/" + epochs + "  step " +
                     std::to_string(steps_) + "/" + steps;
  if (options_.redraw) line += "  " + bar(steps_, options_.steps_per_epoch);
  if (steps_ == 0) return line + "  loss -  ETA ?";
  // The epoch's remaining steps at the epoch's mean time per step so far.
  const int64_t remaining = std::max<int64_t>(options_.steps_per_epoch - steps_, 0);
  const double eta = elapsed() / static_cast<double>(steps_) * static_cast<double>(remaining);
  return line + "  loss " + format("%.4f", mean_loss()) + "  " +
         format("%.1f", images_per_second()) + " img/s  ETA " + format_duration(eta);
}

void ProgressBar::draw() {
  // "\x1b[K" clears what a longer earlier line left to the right of this one.
  out_ << '\r' << status_line() << "\x1b[K" << std::flush;
}

void ProgressBar::step(double loss) {
  ++steps_;
  loss_sum_ += loss;
  const bool last = steps_ == options_.steps_per_epoch;
  if (options_.redraw) {
    const double now = clock_();
    if (last || now - last_draw_ >= kRedrawSeconds) {
      last_draw_ = now;
      draw();
    }
    return;
  }
  if (last || steps_ % options_.log_every == 0) out_ << status_line() << '\n' << std::flush;
}

void ProgressBar::end_epoch(const std::string& summary) {
  if (options_.redraw) out_ << '\n';
  out_ << "epoch " << epoch_ << "/" << options_.epochs << " done  loss "
       << format("%.4f", mean_loss()) << "  " << format("%.1f", images_per_second()) << " img/s  "
       << format("%.1f", elapsed()) << " s";
  if (!summary.empty()) out_ << "  " << summary;
  out_ << '\n' << std::flush;
}

}  // namespace hlocc::tools
