// The engine's state across reloads, its memory limits and evidence cap. What rules match is
// covered by the detection cases (cases_test.cpp).

#include "sentinel/detection/engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sentinel/detection/rules.h"

namespace sentinel::detection {
namespace {

constexpr std::int64_t kStartMs = 1'700'000'000'000;

constexpr const char* kFailure = R"(title: Failure
id: failure
name: failure
logsource: {product: linux, service: sshd}
detection:
  selection:
    event.outcome: failure
  condition: selection
)";

std::string count_rule(int threshold, const std::string& title = "Brute force") {
  return "title: " + title +
         "\nid: bruteforce\ncorrelation:\n  type: event_count\n  rules: [failure]\n"
         "  group-by: [source.ip]\n  timespan: 10m\n  condition: {gte: " +
         std::to_string(threshold) + "}\n";
}

std::shared_ptr<const RuleSet> rules_of(const std::string& text) {
  RuleLoad loaded = load_rules({{"test.yml", text}});
  for (const RuleFileReport& report : loaded.files) {
    for (const RuleProblem& problem : report.problems) ADD_FAILURE() << problem.reason;
  }
  return loaded.rules;
}

std::shared_ptr<const RuleSet> brute_force_rules(int threshold,
                                                 const std::string& title = "Brute force") {
  return rules_of(std::string(kFailure) + "---\n" + count_rule(threshold, title));
}

Event failure(std::int64_t id, const std::string& address, std::int64_t at_ms = -1) {
  Event event;
  event.id = id;
  event.agent_id = "agt-1";
  event.type = "log";
  event.time_ms = kStartMs + (at_ms < 0 ? id * 1000 : at_ms);
  event.fields = {{"event.module", "sshd"}, {"event.outcome", "failure"}, {"source.ip", address}};
  return event;
}

std::vector<Detection> run(Engine& engine, const Event& event) {
  std::vector<Detection> out;
  engine.evaluate(event, out);
  return out;
}

TEST(Engine, AReloadKeepsTheWindowsOfRulesWhoseIdAndTextDidNotChange) {
  Engine engine(brute_force_rules(3));
  EXPECT_TRUE(run(engine, failure(1, "203.0.113.9")).empty());
  EXPECT_TRUE(run(engine, failure(2, "203.0.113.9")).empty());
  EXPECT_EQ(engine.correlation_keys(), 1u);

  engine.replace_rules(brute_force_rules(3));
  EXPECT_EQ(engine.correlation_keys(), 1u);
  const auto fired = run(engine, failure(3, "203.0.113.9"));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].rule_id, "bruteforce");
  EXPECT_EQ(fired[0].event_ids, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(Engine, AReloadDropsTheWindowsOfAChangedRule) {
  Engine engine(brute_force_rules(3));
  run(engine, failure(1, "203.0.113.9"));
  run(engine, failure(2, "203.0.113.9"));

  engine.replace_rules(brute_force_rules(3, "Brute force, renamed"));
  EXPECT_EQ(engine.correlation_keys(), 0u);
  EXPECT_TRUE(run(engine, failure(3, "203.0.113.9")).empty());
  EXPECT_TRUE(run(engine, failure(4, "203.0.113.9")).empty());
  EXPECT_EQ(run(engine, failure(5, "203.0.113.9")).size(), 1u);
}

TEST(Engine, AReloadWithoutTheRuleForgetsItsWindows) {
  Engine engine(brute_force_rules(3));
  run(engine, failure(1, "203.0.113.9"));
  engine.replace_rules(rules_of(kFailure));
  EXPECT_EQ(engine.correlation_keys(), 0u);
  // The base rule is no longer referenced by a correlation, so it alerts on its own now.
  const auto fired = run(engine, failure(2, "203.0.113.9"));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].rule_id, "failure");
}

TEST(Engine, KeysPerRuleAreBoundedAndTheLeastRecentlyUpdatedGoesFirst) {
  Engine engine(brute_force_rules(2), EngineLimits{.max_keys_per_rule = 2});
  run(engine, failure(1, "10.0.0.1"));
  run(engine, failure(2, "10.0.0.2"));
  run(engine, failure(3, "10.0.0.3"));  // evicts 10.0.0.1
  EXPECT_EQ(engine.correlation_keys(), 2u);
  EXPECT_TRUE(run(engine, failure(4, "10.0.0.1")).empty());  // starts over, evicts .2
  EXPECT_EQ(engine.correlation_keys(), 2u);
  const auto fired = run(engine, failure(5, "10.0.0.3"));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].entity, "source.ip=10.0.0.3");
  EXPECT_EQ(fired[0].event_ids, (std::vector<std::int64_t>{3, 5}));
}

TEST(Engine, IdleKeysExpireAsEventTimeMovesOn) {
  Engine engine(brute_force_rules(5));
  for (int i = 1; i <= 3; ++i) run(engine, failure(i, "10.0.0." + std::to_string(i)));
  EXPECT_EQ(engine.correlation_keys(), 3u);
  // An hour later (event time, not the wall clock): the old keys are dropped as new ones come.
  run(engine, failure(4, "10.0.1.1", 3'600'000));
  EXPECT_EQ(engine.correlation_keys(), 1u);
}

TEST(Engine, EvidenceKeepsTheLast100Events) {
  Engine engine(brute_force_rules(150));
  std::vector<Detection> fired;
  for (int i = 1; i <= 150; ++i) fired = run(engine, failure(i, "203.0.113.9", i));
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_EQ(fired[0].event_ids.size(), 100u);
  EXPECT_EQ(fired[0].event_ids.front(), 51);
  EXPECT_EQ(fired[0].event_ids.back(), 150);
  EXPECT_EQ(fired[0].time_ms, kStartMs + 150);
}

TEST(Engine, EnginesSharingARuleSetKeepTheirOwnWindows) {
  auto rules = brute_force_rules(2);
  Engine first(rules), second(rules);
  run(first, failure(1, "203.0.113.9"));
  EXPECT_TRUE(run(second, failure(2, "203.0.113.9")).empty());
  EXPECT_EQ(run(first, failure(3, "203.0.113.9")).size(), 1u);
}

TEST(Engine, RulesSharingAPatternBothFireAndFilledDetectionsDescribeThem) {
  Engine engine(rules_of(R"(title: First
id: first
logsource: {product: linux, service: sshd}
detection: {s: {event.outcome: failure}, condition: s}
level: low
tags: [attack.t1110]
---
title: Second
id: second
logsource: {product: linux, service: sshd}
detection: {s: {event.outcome: FAILURE}, condition: s}
entity: source.ip
dedup: 2h
)"));
  const auto fired = run(engine, failure(7, "203.0.113.9"));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].rule_id, "first");
  EXPECT_EQ(fired[0].rule_title, "First");
  EXPECT_EQ(fired[0].severity, Severity::kLow);
  EXPECT_EQ(fired[0].tags, std::vector<std::string>{"attack.t1110"});
  EXPECT_EQ(fired[0].agent_id, "agt-1");
  EXPECT_EQ(fired[0].event_ids, std::vector<std::int64_t>{7});
  EXPECT_EQ(fired[0].dedup_window_ms, 15 * 60 * 1000);
  EXPECT_EQ(fired[1].rule_id, "second");
  EXPECT_EQ(fired[1].entity, "source.ip=203.0.113.9");
  EXPECT_EQ(fired[1].summary, "Second (source.ip=203.0.113.9)");
  EXPECT_EQ(fired[1].dedup_window_ms, 2 * 3600 * 1000);
  EXPECT_EQ(fired[1].severity, Severity::kMedium);
}

TEST(Engine, AnEmptyRuleSetMatchesNothing) {
  Engine engine(load_rules({}).rules);
  EXPECT_TRUE(run(engine, failure(1, "203.0.113.9")).empty());
  EXPECT_EQ(engine.correlation_keys(), 0u);
}

TEST(Severity, NamesAreSigmaLevels) {
  EXPECT_EQ(to_string(Severity::kInformational), "informational");
  EXPECT_EQ(to_string(Severity::kCritical), "critical");
}

}  // namespace
}  // namespace sentinel::detection
