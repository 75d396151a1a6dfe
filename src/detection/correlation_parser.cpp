// The `correlation:` section of a Sigma correlation rule: type, rules, group-by, timespan,
// condition, aliases and generate.

#include <charconv>
#include <set>

#include "condition_parser.h"
#include "rule_parsers.h"

namespace sentinel::detection {
namespace {

std::optional<long long> parse_count(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& text = node.Scalar();
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// `condition: {gte: 10}` (and `field:` for value_count) into the draft's threshold.
void parse_threshold(const YAML::Node& condition, CorrelationDraft& draft, ProblemSink& sink) {
  if (!condition.IsMap() || condition.size() == 0) {
    sink.add(condition, "correlation condition must be a map such as {gte: 10}");
    return;
  }
  std::optional<long long> lower, upper;
  bool bad = false;
  for (const auto& entry : condition) {
    const std::string op = key_text(entry.first);
    if (op == "field") {
      if (draft.kind != WindowKind::kValueCount) {
        sink.add(entry.first, "condition field only applies to value_count");
        bad = true;
      } else if (entry.second.IsSequence()) {
        sink.add(entry.second, "counting the values of several fields is not supported");
        bad = true;
      } else if (auto field = scalar_text(entry.second, "condition field", sink)) {
        draft.value_field = *field;
      } else {
        bad = true;
      }
      continue;
    }
    if (op != "gt" && op != "gte" && op != "eq" && op != "lt" && op != "lte") {
      sink.add(entry.first, op == "neq" ? "condition 'neq' is not supported"
                                        : "unknown condition '" + op +
                                              "' (expected gt, gte, eq, lt, lte or field)");
      bad = true;
      continue;
    }
    const auto count = parse_count(entry.second);
    if (!count) {
      sink.add(entry.second, "condition " + op + " needs a whole number");
      bad = true;
      continue;
    }
    // Windows fire when the count first reaches the lower bound, then start over, so an upper
    // bound only matters when it excludes that count.
    if (op == "gt") lower = std::max(lower.value_or(0), *count + 1);
    if (op == "gte" || op == "eq") lower = std::max(lower.value_or(0), *count);
    if (op == "lt") upper = std::min(upper.value_or(*count - 1), *count - 1);
    if (op == "lte" || op == "eq") upper = std::min(upper.value_or(*count), *count);
  }
  if (bad) return;
  if (!lower) {
    sink.add(condition,
             "the condition needs gt, gte or eq: an upper bound alone would need the end of the "
             "window, which a streaming engine does not have");
    return;
  }
  const long long threshold = std::max(*lower, 1LL);
  if (upper && *upper < threshold) {
    sink.add(condition, "the condition can never hold");
    return;
  }
  if (threshold > static_cast<long long>(kMaxThreshold)) {
    sink.add(condition, "a count over " + std::to_string(kMaxThreshold) + " is not supported");
    return;
  }
  draft.threshold = static_cast<std::size_t>(threshold);
  if (draft.kind == WindowKind::kValueCount && draft.value_field.empty()) {
    sink.add(condition,
             "value_count needs the field whose distinct values it counts "
             "(condition: {field: user.name, gte: 5})");
  }
}

void parse_aliases(const YAML::Node& aliases, CorrelationDraft& draft, ProblemSink& sink) {
  if (!aliases.IsMap()) {
    sink.add(aliases, "aliases must map each alias to {rule name: field}");
    return;
  }
  for (const auto& alias : aliases) {
    const std::string name = key_text(alias.first);
    if (name.empty() || !alias.second.IsMap()) {
      sink.add(alias.second, "alias '" + name + "' must map rule names to fields");
      continue;
    }
    auto& fields = draft.aliases[name];
    for (const auto& entry : alias.second) {
      if (auto field = scalar_text(entry.second, "alias field", sink)) {
        fields[key_text(entry.first)] = *field;
      }
    }
  }
}

}  // namespace

void parse_correlation(const YAML::Node& correlation, RuleDraft& draft, ProblemSink& sink) {
  if (!correlation.IsMap()) {
    sink.add(correlation, "correlation must be a map with type, rules, timespan and condition");
    return;
  }
  CorrelationDraft out;
  out.mark = correlation.Mark();
  std::set<std::string> seen;
  // Undefined until found: a default YAML::Node is a defined null.
  const auto undefined = [] { return YAML::Node(YAML::NodeType::Undefined); };
  YAML::Node type = undefined(), rules = undefined(), group_by = undefined(),
             timespan = undefined(), condition = undefined(), aliases = undefined(),
             generate = undefined();
  for (const auto& entry : correlation) {
    const std::string key = key_text(entry.first);
    if (!seen.insert(key).second) {
      sink.add(entry.first, "duplicate key '" + key + "' in correlation");
      continue;
    }
    YAML::Node* target = key == "type"                             ? &type
                         : key == "rules"                          ? &rules
                         : key == "group-by"                       ? &group_by
                         : key == "timespan" || key == "timeframe" ? &timespan
                         : key == "condition"                      ? &condition
                         : key == "aliases"                        ? &aliases
                         : key == "generate"                       ? &generate
                                                                   : nullptr;
    if (target == nullptr) {
      sink.add(entry.first, "unknown correlation key '" + key + "'");
      continue;
    }
    if (*target) {
      sink.add(entry.first, "timespan is given twice (timespan and timeframe)");
      continue;
    }
    *target = entry.second;
  }

  if (!type) {
    sink.add(correlation, "correlation needs a type");
  } else if (auto text = scalar_text(type, "correlation type", sink)) {
    if (*text == "event_count") {
      out.kind = WindowKind::kEventCount;
    } else if (*text == "value_count") {
      out.kind = WindowKind::kValueCount;
    } else if (*text == "temporal") {
      out.kind = WindowKind::kTemporal;
    } else if (*text == "temporal_ordered") {
      out.kind = WindowKind::kTemporalOrdered;
    } else {
      sink.add(type, "correlation type '" + *text +
                         "' is not supported (event_count, value_count, temporal, "
                         "temporal_ordered)");
    }
  }

  if (!rules) {
    sink.add(correlation, "correlation needs rules: the ids or names of the rules it correlates");
  } else if (rules.IsScalar()) {
    out.rules.push_back({rules.Scalar(), rules.Mark()});
  } else if (rules.IsSequence() && rules.size() > 0) {
    for (const YAML::Node& item : rules) {
      if (auto name = scalar_text(item, "a correlation rule reference", sink)) {
        out.rules.push_back({*name, item.Mark()});
      }
    }
  } else {
    sink.add(rules, "correlation rules must list rule ids or names");
  }

  if (group_by) {
    if (auto list = string_list(group_by, "group-by", sink)) out.group_by = std::move(*list);
  }

  if (!timespan) {
    sink.add(correlation, "correlation needs a timespan (such as timespan: 5m)");
  } else if (auto text = scalar_text(timespan, "timespan", sink)) {
    if (auto span = parse_duration(*text)) {
      out.span_ms = *span;
    } else {
      sink.add(timespan, "timespan '" + *text +
                             "' is not a duration such as 30s, 5m, 2h or 1d (at most 30d)");
    }
  }

  const bool counts = out.kind == WindowKind::kEventCount || out.kind == WindowKind::kValueCount;
  if (counts && !condition) {
    sink.add(correlation, "event_count and value_count need a condition such as {gte: 10}");
  } else if (condition) {
    // temporal_ordered accepts a condition for the schema's sake; its sequence is always whole.
    parse_threshold(condition, out, sink);
    if (!counts && out.threshold > out.rules.size()) {
      sink.add(condition, "the condition asks for more rules than the correlation names");
    }
  }

  if (aliases) parse_aliases(aliases, out, sink);
  if (generate) {
    if (!generate.IsScalar() || (generate.Scalar() != "true" && generate.Scalar() != "false")) {
      sink.add(generate, "generate must be true or false");
    } else {
      out.generate = generate.Scalar() == "true";
    }
  }
  draft.correlation = std::move(out);
}

}  // namespace sentinel::detection
