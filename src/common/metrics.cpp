#include "sentinel/common/metrics.h"

#include <fmt/format.h>

#include <array>

namespace sentinel {
namespace {

constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string render_labels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}=\"{}\"", key, escape_label(value));
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + "}";
}

}  // namespace

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 const char* type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  }
  return it->second;
}

void MetricsRegistry::count(const std::string& name, const std::string& help, const Labels& labels,
                            double delta) {
  std::lock_guard lock(mutex_);
  family(name, help, "counter").series[labels].value += delta;
}

void MetricsRegistry::set_gauge(const std::string& name, const std::string& help,
                                const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").series[labels].value = value;
}

void MetricsRegistry::observe(const std::string& name, const std::string& help,
                              const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  Series& series = family(name, help, "histogram").series[labels];
  if (series.buckets.empty()) series.buckets.assign(kLatencyBuckets.size(), 0);
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (value <= kLatencyBuckets[i]) ++series.buckets[i];
  }
  series.sum += value;
  ++series.count;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, family.type);
    for (const auto& [labels, series] : family.series) {
      if (family.type != "histogram") {
        out += fmt::format("{}{} {}\n", name, render_labels(labels), series.value);
        continue;
      }
      for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", name,
                           render_labels(labels, fmt::format("le=\"{}\"", kLatencyBuckets[i])),
                           series.buckets[i]);
      }
      out +=
          fmt::format("{}_bucket{} {}\n", name, render_labels(labels, "le=\"+Inf\""), series.count);
      out += fmt::format("{}_sum{} {}\n", name, render_labels(labels), series.sum);
      out += fmt::format("{}_count{} {}\n", name, render_labels(labels), series.count);
    }
  }
  return out;
}

}  // namespace sentinel
