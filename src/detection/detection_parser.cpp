// The `detection:` section: selections (maps, lists of maps, keyword lists), field modifiers and
// values, the condition and its optional aggregation.

#include <charconv>
#include <set>

#include "condition_parser.h"
#include "ip_network.h"
#include "rule_parsers.h"
#include "sigma_mapping.h"
#include "text.h"
#include "value_pattern.h"

namespace sentinel::detection {
namespace {

// Keyword searches go to the raw log line (ADR 0004).
constexpr std::string_view kKeywordField = "message";

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

class DetectionParser {
 public:
  DetectionParser(RuleDraft& draft, ProblemSink& sink, FieldTable& fields)
      : draft_(draft), sink_(sink), fields_(fields) {}

  void parse(const YAML::Node& detection) {
    if (!detection.IsMap()) {
      sink_.add(detection, "detection must be a map of selections and a condition");
      return;
    }
    // Undefined until found: a default YAML::Node is a defined null.
    YAML::Node condition(YAML::NodeType::Undefined), timeframe(YAML::NodeType::Undefined);
    std::set<std::string> seen;
    for (const auto& entry : detection) {
      const std::string name = key_text(entry.first);
      if (!seen.insert(name).second) {
        sink_.add(entry.first, "duplicate key '" + name + "' in detection");
        continue;
      }
      if (name == "condition") {
        condition = entry.second;
      } else if (name == "timeframe") {
        timeframe = entry.second;
      } else if (name.empty()) {
        sink_.add(entry.first, "a selection needs a name");
      } else {
        Selection selection;
        selection.name = name;
        parse_selection(entry.first, entry.second, selection);
        draft_.rule.selections.push_back(std::move(selection));
        names_.push_back(name);
      }
    }
    std::optional<std::int64_t> span;
    if (timeframe) {
      if (auto text = scalar_text(timeframe, "timeframe", sink_)) {
        span = parse_duration(*text);
        if (!span) {
          sink_.add(timeframe, "timeframe '" + *text +
                                   "' is not a duration such as 30s, 5m, 2h or 1d (at most 30d)");
        }
      }
    }
    if (!condition) {
      sink_.add(detection, "detection needs a condition");
      return;
    }
    parse_condition_node(condition, timeframe, span);
  }

 private:
  void parse_selection(const YAML::Node& key, const YAML::Node& value, Selection& selection) {
    if (value.IsMap()) {
      std::vector<FieldTest> tests;
      if (parse_map(value, tests)) selection.alternatives.push_back(std::move(tests));
      return;
    }
    if (value.IsScalar()) {
      FieldTest keywords = keyword_test();
      if (add_string_value(value, keywords, keyword_modifiers())) {
        selection.alternatives.push_back({std::move(keywords)});
      }
      return;
    }
    if (!value.IsSequence() || value.size() == 0) {
      sink_.add(value.IsNull() ? key : value, "selection '" + selection.name +
                                                  "' must be a map, a list of maps or a list of "
                                                  "keywords, and not empty");
      return;
    }
    FieldTest keywords = keyword_test();
    const FieldModifiers modifiers = keyword_modifiers();
    for (const YAML::Node& item : value) {
      if (item.IsMap()) {
        std::vector<FieldTest> tests;
        if (parse_map(item, tests)) selection.alternatives.push_back(std::move(tests));
      } else if (item.IsScalar()) {
        add_string_value(item, keywords, modifiers);
      } else {
        sink_.add(item, "a selection list holds maps or keywords, not " +
                            std::string(item.IsNull() ? "null" : "nested lists"));
      }
    }
    if (!keywords.values.empty()) selection.alternatives.push_back({std::move(keywords)});
  }

  FieldTest keyword_test() {
    FieldTest test;
    test.field = fields_.intern(kKeywordField);
    return test;
  }

  static FieldModifiers keyword_modifiers() {
    FieldModifiers modifiers;
    modifiers.match = FieldModifiers::Match::kContains;
    return modifiers;
  }

  // A map: an AND of its field tests. False when it is empty.
  bool parse_map(const YAML::Node& map, std::vector<FieldTest>& tests) {
    if (map.size() == 0) {
      sink_.add(map, "an empty map matches nothing");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const std::string key = key_text(entry.first);
      if (!seen.insert(key).second) {
        sink_.add(entry.first, "duplicate field '" + key + "' (use a list of maps, or |all)");
        continue;
      }
      if (auto test = parse_field(entry.first, entry.second)) tests.push_back(std::move(*test));
    }
    return true;
  }

  std::optional<FieldTest> parse_field(const YAML::Node& key, const YAML::Node& value) {
    if (!key.IsScalar()) {
      sink_.add(key, "a field name must be a string");
      return std::nullopt;
    }
    const std::vector<std::string_view> parts = split(key.Scalar(), '|');
    const std::vector<std::string_view> names(parts.begin() + 1, parts.end());
    auto parsed = parse_modifiers(names);
    if (!parsed) {
      sink_.add(key, parsed.error().message);
      return std::nullopt;
    }
    FieldModifiers& modifiers = *parsed;
    const bool keyword = parts.front().empty();
    if (keyword && !modifiers.match_given && !modifiers.re) {
      modifiers.match = FieldModifiers::Match::kContains;
    }
    FieldTest test;
    test.field = fields_.intern(keyword ? kKeywordField : map_field_name(parts.front()));
    test.all = modifiers.all;
    test.negate = modifiers.neq;

    std::vector<YAML::Node> values;
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) values.push_back(item);
      if (values.empty()) {
        sink_.add(value, "an empty list of values matches nothing");
        return std::nullopt;
      }
    } else if (value.IsMap()) {
      sink_.add(value, "the value of '" + key.Scalar() +
                           "' must be a string, number, null or a "
                           "list of them, not a map");
      return std::nullopt;
    } else {
      if (modifiers.all) {
        sink_.add(key, "'all' needs a list of values");
        return std::nullopt;
      }
      values.push_back(value);
    }
    if (modifiers.exists && values.size() != 1) {
      sink_.add(value, "exists takes one value, true or false");
      return std::nullopt;
    }
    const std::size_t problems = sink_.count();
    for (const YAML::Node& item : values) add_value(item, modifiers, test);
    if (sink_.count() != problems) return std::nullopt;
    return test;
  }

  void add_value(const YAML::Node& item, const FieldModifiers& modifiers, FieldTest& test) {
    if (!item.IsNull() && !item.IsScalar()) {
      sink_.add(item, "a value must be a string, number or null, not a list or map");
      return;
    }
    ValueTest value;
    if (modifiers.exists) {
      if (item.IsNull() || (item.Scalar() != "true" && item.Scalar() != "false")) {
        sink_.add(item, "exists takes true or false");
        return;
      }
      value.kind = item.Scalar() == "true" ? ValueKind::kExists : ValueKind::kMissing;
      test.values.push_back(value);
      return;
    }
    if (item.IsNull()) {
      if (modifiers.number || modifiers.cidr || modifiers.fieldref || modifiers.re) {
        sink_.add(item, "null cannot be compared with re, cidr, fieldref or a comparison");
        return;
      }
      value.kind = ValueKind::kNull;
      test.values.push_back(value);
      return;
    }
    const std::string& text = item.Scalar();
    if (modifiers.number) {
      auto number = parse_number(text);
      if (!number) {
        sink_.add(item, "'" + text + "' is not a number");
        return;
      }
      value.kind = ValueKind::kNumber;
      value.number_op = *modifiers.number;
      value.number = *number;
      test.values.push_back(value);
      return;
    }
    if (modifiers.cidr) {
      auto network = parse_ip_network(text);
      if (!network) {
        sink_.add(item, "'" + text + "' is not an IPv4 or IPv6 network such as 10.0.0.0/8");
        return;
      }
      value.kind = ValueKind::kCidr;
      value.network = *network;
      test.values.push_back(value);
      return;
    }
    if (modifiers.fieldref) {
      if (text.empty()) {
        sink_.add(item, "fieldref needs a field name");
        return;
      }
      value.kind = ValueKind::kFieldRef;
      value.other_field = fields_.intern(map_field_name(text));
      value.cased = modifiers.cased;
      using Match = FieldModifiers::Match;
      value.text_op = modifiers.match == Match::kContains     ? TextOp::kContains
                      : modifiers.match == Match::kStartsWith ? TextOp::kStartsWith
                      : modifiers.match == Match::kEndsWith   ? TextOp::kEndsWith
                                                              : TextOp::kEquals;
      test.values.push_back(value);
      return;
    }
    add_string_value(item, test, modifiers);
  }

  bool add_string_value(const YAML::Node& item, FieldTest& test, const FieldModifiers& modifiers) {
    auto matcher = compile_string_value(item.Scalar(), modifiers);
    if (!matcher) {
      sink_.add(item, matcher.error().message);
      return false;
    }
    ValueTest value;
    value.kind = matcher->kind;
    if (matcher->kind == ValueKind::kPattern) {
      value.slot = static_cast<SlotId>(draft_.patterns.size());
      draft_.patterns.push_back(
          {test.field, std::move(matcher->expression), matcher->flags, item.Mark()});
    }
    test.values.push_back(value);
    return true;
  }

  void parse_condition_node(const YAML::Node& condition, const YAML::Node& timeframe,
                            std::optional<std::int64_t> span) {
    std::vector<ConditionNode>& nodes = draft_.rule.condition;
    if (condition.IsScalar()) {
      ParsedCondition parsed;
      if (!parse_one(condition, true, parsed)) return;
      if (parsed.root + 1 != nodes.size()) {  // the Engine starts at the last node
        ConditionNode root = nodes[parsed.root];
        nodes.push_back(std::move(root));
      }
      if (parsed.aggregation) add_aggregation(condition, *parsed.aggregation, timeframe, span);
      return;
    }
    if (!condition.IsSequence() || condition.size() == 0) {
      sink_.add(condition, "condition must be a string or a list of strings");
      return;
    }
    // A list of conditions: any of them (Sigma).
    std::vector<std::uint32_t> roots;
    for (const YAML::Node& item : condition) {
      if (!item.IsScalar()) {
        sink_.add(item, "condition must be a string or a list of strings");
        return;
      }
      ParsedCondition parsed;
      if (!parse_one(item, false, parsed)) return;
      roots.push_back(parsed.root);
    }
    nodes.push_back({ConditionNode::Op::kOr, 0, std::move(roots)});
  }

  bool parse_one(const YAML::Node& condition, bool allow_pipe, ParsedCondition& parsed) {
    ConditionError error;
    if (parse_condition(condition.Scalar(), names_, allow_pipe, draft_.rule.condition, parsed,
                        error)) {
      return true;
    }
    // Point at the character when the condition is a one-line scalar; quotes shift it by one.
    const YAML::Mark mark = condition.Mark();
    const bool one_line = condition.Scalar().find('\n') == std::string::npos;
    const int quote = condition.Tag() == "!" ? 1 : 0;
    sink_.add(
        mark,
        "condition: " + error.message + " (character " + std::to_string(error.offset + 1) + ")",
        one_line ? static_cast<int>(error.offset) + quote : 0);
    return false;
  }

  void add_aggregation(const YAML::Node& condition, const Aggregation& aggregation,
                       const YAML::Node& timeframe, std::optional<std::int64_t> span) {
    if (!timeframe) {
      sink_.add(condition, "an aggregation needs a timeframe (such as timeframe: 5m)");
      return;
    }
    if (!span) return;  // reported with the timeframe
    CompiledRule& rule = draft_.rule;
    rule.has_window = true;
    WindowSpec& window = rule.window;
    window.kind =
        aggregation.count_field.empty() ? WindowKind::kEventCount : WindowKind::kValueCount;
    window.span_ms = *span;
    window.threshold = aggregation.threshold;
    WindowInput input;  // input.rule is set when the rule set is linked
    for (const std::string& field : aggregation.group_by) {
      const std::string_view mapped = map_field_name(field);
      window.group_names.emplace_back(mapped);
      input.group_by.push_back(fields_.intern(mapped));
    }
    if (!aggregation.count_field.empty()) {
      input.value_field = fields_.intern(map_field_name(aggregation.count_field));
    }
    window.inputs.push_back(std::move(input));
  }

  RuleDraft& draft_;
  ProblemSink& sink_;
  FieldTable& fields_;
  std::vector<std::string> names_;
};

}  // namespace

void parse_detection(const YAML::Node& detection, RuleDraft& draft, ProblemSink& sink,
                     FieldTable& fields) {
  DetectionParser(draft, sink, fields).parse(detection);
}

}  // namespace sentinel::detection
