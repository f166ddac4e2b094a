// The training command's progress bar (tools/hlocc/progress.h) on a clock the test drives: the
// exact lines written to a log, the in-place redraws for a terminal, and durations.
#include "progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "hlocc/error.h"

namespace hlocc::tools {
namespace {

TEST(Progress, LogOutputPrintsALineEveryFewStepsAndAtTheEpochsEnd) {
  double now = 100.0;
  std::ostringstream out;
  ProgressBar progress(out, {.epochs = 2, .steps_per_epoch = 5, .batch_size = 10, .log_every = 2},
                       [&] { return now; });
  progress.start_epoch(1);
  EXPECT_EQ(progress.status_line(), "epoch 1/2  step 0/5  loss -  ETA ?");
  for (const double loss : {1.0, 2.0, 3.0, 4.0, 5.0}) {
    now += 0.5;
    progress.step(loss);
  }
  progress.end_epoch("test accuracy 50.00%");
  // Step 2: 1 s for 20 images, 3 steps left at 0.5 s each (1.5 s rounds to 0:02).
  EXPECT_EQ(out.str(),
            "epoch 1/2  step 2/5  loss 1.5000  20.0 img/s  ETA 0:02\n"
            "epoch 1/2  step 4/5  loss 2.5000  20.0 img/s  ETA 0:01\n"
            "epoch 1/2  step 5/5  loss 3.0000  20.0 img/s  ETA 0:00\n"
            "epoch 1/2 done  loss 3.0000  20.0 img/s  2.5 s  test accuracy 50.00%\n");

  // The next epoch starts afresh: its loss mean and rate count only its own steps.
  out.str("");
  progress.start_epoch(2);
  now += 4.0;
  progress.step(0.25);
  now += 4.0;
  progress.step(0.75);
  progress.end_epoch();
  EXPECT_EQ(out.str(),
            "epoch 2/2  step 2/5  loss 0.5000  2.5 img/s  ETA 0:12\n"
            "epoch 2/2 done  loss 0.5000  2.5 img/s  8.0 s\n");
}

TEST(Progress, TerminalOutputRedrawsOneLineInPlace) {
  double now = 0.0;
  std::ostringstream out;
  ProgressBar progress(out, {.epochs = 1, .steps_per_epoch = 48, .batch_size = 4, .redraw = true},
                       [&] { return now; });
  progress.start_epoch(1);
  for (int step = 0; step < 48; ++step) {
    now += 0.03125;  // redraws are at least 0.1 s apart: steps 1, 5, ..., 45, and the last
    progress.step(1.0);
  }
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 0);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 13);
  const std::string last = text.substr(text.rfind('\r'));
  EXPECT_EQ(last,
            "\repoch 1/1  step 48/48  [####################]  loss 1.0000  128.0 img/s  ETA 0:00"
            "\x1b[K");
  EXPECT_NE(text.find("step 25/48  [##########          ]"), std::string::npos);
  progress.end_epoch();
  EXPECT_EQ(out.str().substr(text.size()), "\nepoch 1/1 done  loss 1.0000  128.0 img/s  1.5 s\n");
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0.0), "0:00");
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(754.0), "12:34");
  EXPECT_EQ(format_duration(3723.0), "1:02:03");
  EXPECT_EQ(format_duration(-3.0), "0:00");
}

TEST(Progress, RejectsNonPositiveCounts) {
  std::ostringstream out;
  try {
    ProgressBar(out, {.steps_per_epoch = 0});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "progress: steps_per_epoch must be positive; got 0");
  }
}

}  // namespace
}  // namespace hlocc::tools
