#pragma once
// How many probes may be in flight at once: grows while answers come back, halves on loss.

#include <cstddef>

#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// Window bounds in probes in flight. `max` is the scan's concurrency cap.
struct CongestionOptions {
  double initial = 10;
  double min = 1;
  double max = 1000;
};

/// TCP-style congestion control over probes: slow start (+1 per answer) up to a threshold, then
/// congestion avoidance (+1 per window of answers); a loss signal halves the window and sets
/// the threshold, at most once per holdoff so that one burst of losses counts once. With
/// answers arriving every RTT, window/SRTT is the probe rate, so the same window also paces a
/// raw scanner. Not thread-safe: owned by the scan loop.
class CongestionWindow {
 public:
  explicit CongestionWindow(CongestionOptions options = {});

  /// Probes that may be in flight now (at least 1).
  std::size_t limit() const { return static_cast<std::size_t>(window_); }
  double window() const { return window_; }
  /// An answer came back.
  void on_answer();
  /// A loss was seen at `now` (an answer to a retransmitted probe: its first try was dropped).
  /// Ignored within `holdoff` of the previous halving.
  void on_loss(TimePoint now, Duration holdoff);

 private:
  CongestionOptions options_;
  double window_;
  double threshold_;
  bool halved_before_ = false;
  TimePoint last_halving_{};
};

}  // namespace sentinel::scan
