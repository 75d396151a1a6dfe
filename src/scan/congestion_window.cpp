#include "sentinel/scan/congestion_window.h"

#include <algorithm>

namespace sentinel::scan {

CongestionWindow::CongestionWindow(CongestionOptions options) : options_(options) {
  options_.min = std::max(options_.min, 1.0);
  options_.max = std::max(options_.max, options_.min);
  window_ = std::clamp(options_.initial, options_.min, options_.max);
  threshold_ = options_.max;
}

void CongestionWindow::on_answer() {
  window_ += window_ < threshold_ ? 1.0 : 1.0 / window_;
  window_ = std::min(window_, options_.max);
}

void CongestionWindow::on_loss(TimePoint now, Duration holdoff) {
  if (halved_before_ && now - last_halving_ < holdoff) return;
  halved_before_ = true;
  last_halving_ = now;
  window_ = std::max(window_ / 2, options_.min);
  threshold_ = window_;
}

}  // namespace sentinel::scan
