#pragma once
// Prometheus metrics: counters, gauges and histograms with labels, rendered as text format 0.0.4.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sentinel {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// A registry of metric families. Thread-safe; metric handles stay valid for its lifetime.
class MetricsRegistry {
 public:
  /// Adds `delta` to the counter `name` with `labels` (created at first use).
  void count(const std::string& name, const std::string& help, const Labels& labels,
             double delta = 1);
  /// Sets the gauge `name` with `labels`.
  void set_gauge(const std::string& name, const std::string& help, const Labels& labels,
                 double value);
  /// Records `value` (seconds) into the histogram `name` with default latency buckets.
  void observe(const std::string& name, const std::string& help, const Labels& labels,
               double value);
  /// Prometheus text exposition of every family, sorted by name.
  std::string render() const;

 private:
  struct Series {
    double value = 0;                    // counter or gauge
    std::vector<std::uint64_t> buckets;  // histogram: cumulative later
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    std::string help;
    std::string type;  // counter | gauge | histogram
    std::map<Labels, Series> series;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace sentinel
