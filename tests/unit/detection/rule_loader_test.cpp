// The rule loader's reports: every problem with file, line, column and reason, the rules that
// still load, and read_rule_sources over files and directories.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sentinel/detection/rules.h"

namespace sentinel::detection {
namespace {

using ::testing::HasSubstr;

constexpr const char* kGoodRule = R"(title: Good
id: good-1
logsource: {product: linux, service: sshd}
detection:
  selection:
    event.outcome: failure
  condition: selection
level: high
tags: [attack.t1110]
)";

RuleLoad load(std::string text, std::string file = "rules.yml") {
  return load_rules({{std::move(file), std::move(text)}});
}

std::vector<std::string> ids(const RuleLoad& loaded) {
  std::vector<std::string> out;
  for (const RuleInfo& rule : loaded.rules->rules()) out.push_back(rule.id);
  return out;
}

// The one problem of a single-file load.
RuleProblem only_problem(const RuleLoad& loaded) {
  EXPECT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files[0].problems.size(), 1u);
  if (loaded.files.empty() || loaded.files[0].problems.empty()) return {};
  return loaded.files[0].problems[0];
}

TEST(RuleLoader, LoadsAGoodRuleWithItsInfo) {
  const RuleLoad loaded = load(kGoodRule);
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_TRUE(loaded.files[0].ok());
  EXPECT_EQ(loaded.files[0].rules, 1u);
  ASSERT_EQ(loaded.rules->rules().size(), 1u);
  const RuleInfo& info = loaded.rules->rules()[0];
  EXPECT_EQ(info.id, "good-1");
  EXPECT_EQ(info.title, "Good");
  EXPECT_EQ(info.file, "rules.yml");
  EXPECT_EQ(info.kind, "sigma");
  EXPECT_EQ(info.severity, Severity::kHigh);
  EXPECT_EQ(info.tags, std::vector<std::string>{"attack.t1110"});
}

TEST(RuleLoader, AMissingIdIsAProblemAtTheRule) {
  const RuleProblem problem =
      only_problem(load("\n\ntitle: No id\n"
                        "logsource: {product: linux}\n"
                        "detection:\n  s:\n    a: b\n  condition: s\n"));
  EXPECT_EQ(problem.file, "rules.yml");
  EXPECT_EQ(problem.line, 3);
  EXPECT_EQ(problem.column, 1);
  EXPECT_THAT(problem.reason, HasSubstr("id is required"));
}

TEST(RuleLoader, AnUnknownModifierNamesItsKey) {
  const RuleLoad loaded = load(R"(title: Bad modifier
id: bad-1
logsource: {product: linux}
detection:
  selection:
    process.name|containz: nc
  condition: selection
)");
  const RuleProblem problem = only_problem(loaded);
  EXPECT_EQ(problem.line, 6);
  EXPECT_EQ(problem.column, 5);
  EXPECT_THAT(problem.reason, HasSubstr("unknown modifier 'containz'"));
  EXPECT_TRUE(loaded.rules->rules().empty());
}

TEST(RuleLoader, ARegexVectorscanCannotCompileIsAProblemAtTheValue) {
  const RuleProblem problem = only_problem(load(R"(title: Bad regex
id: bad-2
logsource: {product: linux}
detection:
  selection:
    process.command_line|re: '(?<=curl)\s+x'
  condition: selection
)"));
  EXPECT_EQ(problem.line, 6);
  EXPECT_EQ(problem.column, 30);
  EXPECT_THAT(problem.reason, HasSubstr("regex"));
}

TEST(RuleLoader, AnUndefinedSelectionInTheConditionPointsAtIt) {
  const RuleProblem problem = only_problem(load(R"(title: Bad condition
id: bad-3
logsource: {product: linux}
detection:
  selection:
    a: b
  condition: selection and not filtr
)"));
  EXPECT_EQ(problem.line, 7);
  EXPECT_EQ(problem.column, 32);  // the f of filtr
  EXPECT_THAT(problem.reason, HasSubstr("unknown selection 'filtr'"));
}

TEST(RuleLoader, ABadTimeframeAndAMissingOneAreProblems) {
  const RuleProblem bad = only_problem(load(R"(title: Bad timeframe
id: bad-4
logsource: {product: linux}
detection:
  selection:
    a: b
  timeframe: 5 minutes
  condition: selection | count() > 3
)"));
  EXPECT_EQ(bad.line, 7);
  EXPECT_EQ(bad.column, 14);
  EXPECT_THAT(bad.reason, HasSubstr("timeframe '5 minutes' is not a duration"));

  const RuleProblem missing = only_problem(load(R"(title: No timeframe
id: bad-5
logsource: {product: linux}
detection:
  selection:
    a: b
  condition: selection | count() by source.ip > 3
)"));
  EXPECT_EQ(missing.line, 7);
  EXPECT_THAT(missing.reason, HasSubstr("needs a timeframe"));
}

TEST(RuleLoader, WrongTypesAreProblems) {
  const RuleLoad loaded = load(R"(title: [not, a, string]
id: bad-6
level: severe
tags: {a: b}
logsource: {product: linux}
detection:
  selection:
    a: {nested: map}
  condition: selection
)");
  ASSERT_EQ(loaded.files.size(), 1u);
  const auto& problems = loaded.files[0].problems;
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].line, 1);
  EXPECT_THAT(problems[0].reason, HasSubstr("title must be a string"));
  EXPECT_EQ(problems[1].line, 3);
  EXPECT_THAT(problems[1].reason, HasSubstr("unknown level 'severe'"));
  EXPECT_EQ(problems[2].line, 4);
  EXPECT_THAT(problems[2].reason, HasSubstr("tags must be a string or a list"));
  EXPECT_EQ(problems[3].line, 8);
  EXPECT_THAT(problems[3].reason, HasSubstr("not a map"));
}

TEST(RuleLoader, AnUnknownLogsourceIsAProblemAndTheRuleIsLeftOut) {
  const RuleLoad loaded = load(R"(title: Windows
id: win-1
logsource: {product: windows, service: security}
detection:
  selection:
    EventID: 4625
  condition: selection
)");
  const RuleProblem problem = only_problem(loaded);
  EXPECT_EQ(problem.line, 3);
  EXPECT_THAT(problem.reason, HasSubstr("product: windows"));
  EXPECT_TRUE(loaded.rules->rules().empty());
}

TEST(RuleLoader, OneBrokenDocumentLeavesTheOthersOfItsFileLoaded) {
  const std::string text =
      std::string(kGoodRule) +
      "---\n"
      "title: Broken YAML\n"
      "id: [unclosed\n"
      "---\n" +
      std::string(kGoodRule).replace(std::string(kGoodRule).find("good-1"), 6, "good-2");
  const RuleLoad loaded = load(text);
  EXPECT_EQ(ids(loaded), (std::vector<std::string>{"good-1", "good-2"}));
  const RuleProblem problem = only_problem(loaded);
  EXPECT_GE(problem.line, 12);  // inside the second document, not at the top of the file
  EXPECT_LE(problem.line, 13);
  EXPECT_THAT(problem.reason, HasSubstr("YAML"));
  EXPECT_EQ(loaded.files[0].rules, 2u);
}

TEST(RuleLoader, ABrokenFileLeavesOtherFilesLoaded) {
  const RuleLoad loaded =
      load_rules({{"a.yml", "title: x\nid: 1\ndetection: [\n"}, {"b.yml", kGoodRule}});
  ASSERT_EQ(loaded.files.size(), 2u);
  EXPECT_FALSE(loaded.files[0].ok());
  EXPECT_EQ(loaded.files[0].problems[0].file, "a.yml");
  EXPECT_TRUE(loaded.files[1].ok());
  EXPECT_EQ(ids(loaded), std::vector<std::string>{"good-1"});
}

TEST(RuleLoader, ADuplicateIdIsReportedOnTheSecondRule) {
  const RuleLoad loaded = load_rules({{"a.yml", kGoodRule}, {"b.yml", kGoodRule}});
  ASSERT_EQ(loaded.files.size(), 2u);
  EXPECT_TRUE(loaded.files[0].ok());
  ASSERT_EQ(loaded.files[1].problems.size(), 1u);
  EXPECT_EQ(loaded.files[1].problems[0].line, 2);
  EXPECT_THAT(loaded.files[1].problems[0].reason,
              HasSubstr("duplicate id 'good-1' (also at a.yml:2)"));
  EXPECT_EQ(ids(loaded), std::vector<std::string>{"good-1"});
}

TEST(RuleLoader, ACorrelationNamingAMissingRuleIsAProblem) {
  const RuleLoad loaded = load(R"(title: Count
id: corr-1
correlation:
  type: event_count
  rules: [no_such_rule]
  timespan: 5m
  condition: {gte: 3}
)");
  const RuleProblem problem = only_problem(loaded);
  EXPECT_EQ(problem.line, 5);
  EXPECT_EQ(problem.column, 11);
  EXPECT_THAT(problem.reason, HasSubstr("no rule has the id or name 'no_such_rule'"));
}

TEST(RuleLoader, ACorrelationOnABrokenRuleIsLeftOutAndSaysWhy) {
  const RuleLoad loaded =
      load_rules({{"base.yml",
                   "title: Base\nid: base\nlogsource: {product: linux}\n"
                   "detection:\n  s:\n    a|bogus: b\n  condition: s\n"},
                  {"corr.yml",
                   "title: Count\nid: corr\ncorrelation:\n  type: event_count\n"
                   "  rules: [base]\n  timespan: 5m\n  condition: {gte: 3}\n"}});
  ASSERT_EQ(loaded.files.size(), 2u);
  ASSERT_EQ(loaded.files[1].problems.size(), 1u);
  EXPECT_EQ(loaded.files[1].problems[0].line, 5);
  EXPECT_THAT(loaded.files[1].problems[0].reason, HasSubstr("which did not load"));
  EXPECT_TRUE(loaded.rules->rules().empty());
}

TEST(RuleLoader, CorrelationsInACycleAreLeftOut) {
  const RuleLoad loaded = load(R"(title: A
id: a
correlation: {type: event_count, rules: [b], timespan: 5m, condition: {gte: 2}}
---
title: B
id: b
correlation: {type: event_count, rules: [a], timespan: 5m, condition: {gte: 2}}
)");
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files[0].problems.size(), 2u);
  EXPECT_THAT(loaded.files[0].problems[0].reason, HasSubstr("cycle"));
  EXPECT_TRUE(loaded.rules->rules().empty());
}

TEST(RuleLoader, CorrelationConditionsAreChecked) {
  const RuleLoad loaded = load(R"(title: Base
id: base
logsource: {product: linux}
detection: {s: {a: b}, condition: s}
---
title: Upper bound only
id: c1
correlation: {type: event_count, rules: [base], timespan: 5m, condition: {lt: 3}}
---
title: No field
id: c2
correlation: {type: value_count, rules: [base], timespan: 5m, condition: {gte: 3}}
---
title: Unknown type
id: c3
correlation: {type: value_sum, rules: [base], timespan: 5m, condition: {gte: 3}}
)");
  ASSERT_EQ(loaded.files.size(), 1u);
  const auto& problems = loaded.files[0].problems;
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].line, 8);
  EXPECT_THAT(problems[0].reason, HasSubstr("needs gt, gte or eq"));
  EXPECT_EQ(problems[1].line, 12);
  EXPECT_THAT(problems[1].reason, HasSubstr("value_count needs the field"));
  EXPECT_EQ(problems[2].line, 16);
  EXPECT_THAT(problems[2].reason, HasSubstr("'value_sum' is not supported"));
  EXPECT_EQ(ids(loaded), std::vector<std::string>{"base"});
}

TEST(RuleLoader, ConditionErrorsSayWhere) {
  const auto reason = [](std::string condition) {
    const RuleLoad loaded = load(
        "title: t\nid: i\nlogsource: {product: linux}\ndetection:\n"
        "  sel_a: {a: b}\n  sel_b: {c: d}\n  condition: " +
        condition + "\n");
    return loaded.files[0].problems.empty() ? std::string("no problem")
                                            : loaded.files[0].problems[0].reason;
  };
  EXPECT_THAT(reason("sel_a and"), HasSubstr("ends where a selection name was expected"));
  EXPECT_THAT(reason("(sel_a or sel_b"), HasSubstr("expected ')'"));
  EXPECT_THAT(reason("1 of filter*"), HasSubstr("no selection matches 'filter*'"));
  EXPECT_THAT(reason("2 of sel_*"), HasSubstr("only '1 of' and 'all of'"));
  EXPECT_THAT(reason("sel_a | near sel_b"), HasSubstr("'near' is not supported"));
  EXPECT_THAT(reason("sel_a | count() < 3"), HasSubstr("would need the end of a window"));
  EXPECT_THAT(reason("sel_a sel_b"), HasSubstr("unexpected 'sel_b'"));
  EXPECT_THAT(reason(std::string(100, '(') + "sel_a" + std::string(100, ')')),
              HasSubstr("nested too deeply"));
}

TEST(RuleLoader, EveryProblemOfARuleIsReportedAtOnce) {
  const RuleLoad loaded = load(R"(title: Many problems
id: many
status: maybe
logsource: {product: linux}
detection:
  a:
    x|bogus: 1
  b:
    y|cidr: not-a-network
  c:
    z|re: '('
  condition: a or b or c or d
)");
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files[0].problems.size(), 5u);
}

TEST(RuleLoader, AnOversizedFileIsRefused) {
  const RuleLoad loaded = load(std::string(16 * 1024 * 1024 + 1, '#'));
  EXPECT_THAT(only_problem(loaded).reason, HasSubstr("larger than 16 MiB"));
}

class RuleSources : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("sentinel-rules-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "b" / "nested");
    std::filesystem::create_directories(root_ / ".hidden");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::filesystem::path& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
  }
  std::filesystem::path root_;
};

TEST_F(RuleSources, DirectoriesAreSearchedRecursivelyForYamlInPathOrder) {
  write("b/nested/z.yaml", "z");
  write("b/a.yml", "a");
  write("c.yml", "c");
  write("notes.txt", "not a rule");
  write(".hidden/h.yml", "hidden");
  write(".dot.yml", "hidden");
  auto sources = read_rule_sources({root_.string()});
  ASSERT_TRUE(sources) << sources.error().message;
  std::vector<std::string> texts;
  for (const RuleSource& source : *sources) texts.push_back(source.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"a", "z", "c"}));
  EXPECT_EQ((*sources)[0].file, (root_ / "b" / "a.yml").string());
}

TEST_F(RuleSources, AFileIsReadAsGivenAndAMissingPathIsAnError) {
  write("rule.txt", "text");
  auto sources = read_rule_sources({(root_ / "rule.txt").string()});
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].text, "text");

  auto missing = read_rule_sources({(root_ / "nope.yml").string()});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("nope.yml"));
}

}  // namespace
}  // namespace sentinel::detection
