#pragma once
// The detect service (ADR 0004): stored events from the bus → normalise → rule engine →
// detections for the alerts service. Owns the rule set: the built-in pack plus the configured
// directories, re-read when a file changes and on request.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/common/result.h"
#include "sentinel/detection/detection.h"
#include "sentinel/detection/rules.h"
#include "sentinel/server/service.h"

namespace sentinel::detect {

struct DetectOptions {
  std::vector<std::string> rules_dirs;  // beside the built-in pack
  bool builtin_pack = true;             // tests turn it off to see only their own rules
  std::size_t queue_events = 65536;     // events waiting for the engine; more are dropped, counted
  std::chrono::milliseconds rescan_interval{2000};  // how often rules_dirs are checked for changes
};

/// Receives each detection, on the detect thread, in the order found. Must not block for long.
using DetectionSink = std::function<void(const detection::Detection&)>;
/// The host name of an agent id, "" when unknown. Called on the detect thread; cached there.
using HostNameLookup = std::function<std::string(const std::string& agent_id)>;

/// What is loaded, for GET /api/v1/rules and `sentinelctl rules list`.
struct RulesStatus {
  std::vector<detection::RuleInfo> rules;
  std::vector<detection::RuleFileReport> files;  // every file read, with its problems
  std::int64_t loaded_ms = 0;
};

/// Thread-safe. Events are evaluated on one thread of its own, in the order the bus delivers.
class DetectService : public server::Service {
 public:
  /// Loads the rules (problems are reported in status(), never fatal) and subscribes to the
  /// bus topic "event" on start().
  static Result<std::unique_ptr<DetectService>> create(bus::Bus& bus, DetectOptions options,
                                                       HostNameLookup host_names,
                                                       DetectionSink sink, MetricsRegistry& metrics,
                                                       const Clock& clock);

  virtual RulesStatus status() const = 0;
  /// Re-reads every rule file now and swaps the rule set; correlation state of unchanged rules
  /// is kept. Returns the new status.
  virtual RulesStatus reload() = 0;
  /// Blocks until every event published before the call has been evaluated (tests, benchmarks).
  virtual void flush() = 0;
};

}  // namespace sentinel::detect
