#pragma once
// The rule engine: runs normalised events through a compiled RuleSet and keeps the correlation
// windows (ADR 0004 "Rules"). Event times, not the wall clock, drive the windows.

#include <cstddef>
#include <memory>
#include <vector>

#include "sentinel/detection/detection.h"
#include "sentinel/detection/rules.h"

namespace sentinel::detection {

/// Bounds on the memory the engine keeps.
struct EngineLimits {
  /// Open windows (group-by keys) per aggregating or correlation rule; the least recently
  /// updated key is evicted first.
  std::size_t max_keys_per_rule = 100000;
};

/// Evaluates events against a rule set. Not thread-safe: one thread drives it. Holds its own
/// vectorscan scratch space and the correlation state.
class Engine {
 public:
  /// `rules` must not be null (RuleLoad::rules never is).
  explicit Engine(std::shared_ptr<const RuleSet> rules, EngineLimits limits = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Swaps in a new rule set; the windows of rules whose id and text did not change are kept,
  /// the others are dropped.
  void replace_rules(std::shared_ptr<const RuleSet> rules);

  /// Runs `event` through every rule; appends what fired to `out`.
  void evaluate(const Event& event, std::vector<Detection>& out);

  /// The number of open windows (group-by keys) over all rules.
  std::size_t correlation_keys() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sentinel::detection
