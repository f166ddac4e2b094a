// The training command's progress display: epoch, step/steps, running mean loss, images/s and the
// epoch's ETA. On a terminal one line is redrawn in place ('\r'); in logs (CI, a pipe) it prints a
// line every few steps, so a log shows progress without thousands of carriage returns.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace hlocc::tools {

struct ProgressOptions {
  int64_t epochs = 1;
  int64_t steps_per_epoch = 1;
  int64_t batch_size = 1;  // images per step, for images/s
  /// Redraw one line in place (stdout is a terminal: stdout_is_terminal()); else print a line
  /// every `log_every` steps and at each epoch's last step.
  bool redraw = false;
  int64_t log_every = 50;
};

/// Seconds since a fixed moment. A parameter of ProgressBar so that tests drive time themselves.
using Clock = std::function<double()>;
Clock steady_clock_seconds();

bool stdout_is_terminal();

/// "0:07", "12:34", "1:02:03": whole seconds as [h:]mm:ss.
std::string format_duration(double seconds);

class ProgressBar {
 public:
  /// Throws hlocc::Error unless epochs, steps_per_epoch, batch_size and log_every are positive.
  ProgressBar(std::ostream& out, ProgressOptions options, Clock clock = steady_clock_seconds());

  /// Starts epoch `epoch` (1-based): the running loss, the step count and the clock restart.
  void start_epoch(int64_t epoch);
  /// Records one step's loss and shows progress (redraws, or prints when a line is due).
  void step(double loss);
  /// Ends the epoch with one line: "epoch 1/5 done  loss 0.4321  1500.0 img/s  12.3 s" and then
  /// `summary` (e.g. "test accuracy 90.12%") when not empty.
  void end_epoch(const std::string& summary = "");

  /// "epoch 1/5  step 120/469  loss 0.5432  1234.5 img/s  ETA 0:42" (with a [####    ] bar
  /// after the step when redrawing); the loss is the mean over the epoch's steps so far.
  std::string status_line() const;
  double mean_loss() const { return steps_ == 0 ? 0.0 : loss_sum_ / static_cast<double>(steps_); }

 private:
  double elapsed() const { return clock_() - epoch_start_; }
  double images_per_second() const;
  void draw();

  std::ostream& out_;
  ProgressOptions options_;
  Clock clock_;
  int64_t epoch_ = 0;
  int64_t steps_ = 0;
  double loss_sum_ = 0.0;
  double epoch_start_ = 0.0;
  double last_draw_ = 0.0;
};

}  // namespace hlocc::tools
