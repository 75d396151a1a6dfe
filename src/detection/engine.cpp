// The Engine: binds an event's fields, scans each field that has a pattern database once,
// evaluates only the rules a pattern pointed at (plus those that can hold without one), feeds
// aggregation and correlation windows, and turns fires into detections.

#include "sentinel/detection/engine.h"

#include <algorithm>
#include <charconv>
#include <new>

#include "compiled_rules.h"
#include "pattern_database.h"
#include "text.h"
#include "window_state.h"

namespace sentinel::detection {
namespace {

constexpr std::size_t kCachedPositions = 64;

bool compare_text(std::string_view value, std::string_view other, TextOp op, bool cased) {
  const auto equal = [cased](std::string_view a, std::string_view b) {
    return cased ? a == b : equals_ignoring_case(a, b);
  };
  switch (op) {
    case TextOp::kEquals:
      return equal(value, other);
    case TextOp::kStartsWith:
      return value.size() >= other.size() && equal(value.substr(0, other.size()), other);
    case TextOp::kEndsWith:
      return value.size() >= other.size() &&
             equal(value.substr(value.size() - other.size()), other);
    case TextOp::kContains:
      return cased ? value.find(other) != std::string_view::npos
                   : find_ignoring_case(value, other) != std::string_view::npos;
  }
  return false;
}

}  // namespace

struct Engine::State {
  // A rule that fired on the current event: `refs` (a range of `fire_refs`) made it fire; `key`
  // is its group-by key when a window fired.
  struct Fire {
    std::uint32_t rule = 0;
    std::size_t refs_begin = 0;
    std::size_t refs_end = 0;
    std::string key;
    bool from_window = false;
  };

  std::shared_ptr<const RuleSet> rules;
  const CompiledRules* compiled = nullptr;
  EngineLimits limits;
  ScanScratch scratch;

  // Per event, reset by bumping `generation` instead of clearing.
  std::uint32_t generation = 0;
  std::vector<const std::string*> values;  // by FieldId
  std::vector<std::uint32_t> value_generation;
  std::vector<std::uint32_t> slot_generation;
  std::vector<std::uint32_t> rule_generation;
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint32_t> matched;
  int type_bit = kOtherNameBit;
  int module_bit = kOtherNameBit;
  std::vector<std::int8_t> selection_results;  // -1 unknown, 0, 1
  std::vector<Fire> fires;
  std::vector<EventRef> fire_refs;
  std::vector<EventRef> current_refs;
  std::vector<EventRef> window_refs;
  std::string key;

  // The field id of the name last seen at each position of an event: events of one kind list
  // their fields in the same order, so a comparison usually replaces a hash lookup.
  struct CachedName {
    std::string name;
    FieldId field = kNoField;
  };
  std::vector<CachedName> name_cache;

  std::vector<std::unique_ptr<WindowState>> windows;  // by rule; null without a window
  std::vector<std::string> agents;
  std::unordered_map<std::string, std::uint32_t, TransparentHash, std::equal_to<>> agent_index;
  std::int64_t now_ms = INT64_MIN;

  void attach(std::shared_ptr<const RuleSet> set) {
    rules = std::move(set);
    compiled = &rules->compiled();
    values.assign(compiled->field_names.size(), nullptr);
    value_generation.assign(compiled->field_names.size(), 0);
    slot_generation.assign(compiled->slot_count, 0);
    rule_generation.assign(compiled->rules.size(), 0);
    name_cache.clear();
    generation = 0;
    for (const PatternDatabase& database : compiled->databases) {
      if (!scratch.prepare(database)) throw std::bad_alloc();
    }
  }

  void next_generation() {
    if (++generation != 0) return;
    // After 2^32 events the stamps wrap: start them over.
    std::fill(value_generation.begin(), value_generation.end(), 0);
    std::fill(slot_generation.begin(), slot_generation.end(), 0);
    std::fill(rule_generation.begin(), rule_generation.end(), 0);
    generation = 1;
  }

  const std::string* value(FieldId field) const {
    if (field == kNoField || value_generation[field] != generation) return nullptr;
    return values[field];
  }

  void add_candidate(std::uint32_t rule) {
    if (rule_generation[rule] == generation) return;
    rule_generation[rule] = generation;
    candidates.push_back(rule);
  }

  static int on_match(unsigned int slot, unsigned long long, unsigned long long, unsigned int,
                      void* context) {
    auto* state = static_cast<State*>(context);
    if (state->slot_generation[slot] == state->generation) return 0;
    state->slot_generation[slot] = state->generation;
    const CompiledRules& compiled = *state->compiled;
    for (std::uint32_t i = compiled.slot_rule_begin[slot]; i < compiled.slot_rule_begin[slot + 1];
         ++i) {
      state->add_candidate(compiled.slot_rules[i]);
    }
    return 0;
  }

  void bind_and_scan(FieldId field, const std::string& text) {
    values[field] = &text;
    value_generation[field] = generation;
    const PatternDatabase& database = compiled->databases[field];
    if (!database) return;
    hs_scan(database.get(), text.data(), static_cast<unsigned int>(text.size()), 0, scratch.get(),
            &State::on_match, this);
  }

  void bind_event(const Event& event) {
    for (std::size_t i = 0; i < event.fields.size(); ++i) {
      const Field& field = event.fields[i];
      FieldId id = kNoField;
      if (i < name_cache.size() && name_cache[i].name == field.name) {
        id = name_cache[i].field;
      } else {
        auto found = compiled->field_ids.find(std::string_view(field.name));
        if (found != compiled->field_ids.end()) id = found->second;
        if (i < kCachedPositions) {
          if (i >= name_cache.size()) name_cache.resize(i + 1);
          name_cache[i] = {field.name, id};
        }
      }
      if (id != kNoField) bind_and_scan(id, field.value);
    }
    // The normaliser adds these; tests and benchmarks may leave them to the Event's members.
    if (compiled->event_type != kNoField && value(compiled->event_type) == nullptr &&
        !event.type.empty()) {
      bind_and_scan(compiled->event_type, event.type);
    }
    if (compiled->agent_id != kNoField && value(compiled->agent_id) == nullptr &&
        !event.agent_id.empty()) {
      bind_and_scan(compiled->agent_id, event.agent_id);
    }
  }

  // The bit of `field`'s value in `names` (kOtherNameBit when absent or not listed).
  int name_bit(FieldId field, const std::vector<std::string>& names) const {
    const std::string* text = value(field);
    if (text == nullptr) return kOtherNameBit;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == *text) return static_cast<int>(i);
    }
    return kOtherNameBit;
  }

  bool passes_filter(const EventFilter& filter) const {
    return ((filter.type_mask >> type_bit) & 1) != 0 &&
           ((filter.module_mask >> module_bit) & 1) != 0;
  }

  bool holds(const ValueTest& test, const std::string* value) const {
    switch (test.kind) {
      case ValueKind::kPattern:
        return slot_generation[test.slot] == generation;
      case ValueKind::kNull:
        return value == nullptr || value->empty();
      case ValueKind::kEmpty:
        return value != nullptr && value->empty();
      case ValueKind::kPresent:
      case ValueKind::kExists:
        return value != nullptr;
      case ValueKind::kMissing:
        return value == nullptr;
      case ValueKind::kNumber: {
        if (value == nullptr) return false;
        const auto number = parse_number(*value);
        if (!number) return false;
        switch (test.number_op) {
          case NumberOp::kLt:
            return *number < test.number;
          case NumberOp::kLte:
            return *number <= test.number;
          case NumberOp::kGt:
            return *number > test.number;
          case NumberOp::kGte:
            return *number >= test.number;
        }
        return false;
      }
      case ValueKind::kCidr: {
        if (value == nullptr) return false;
        const auto address = parse_ip_address(*value);
        return address && network_contains(test.network, *address);
      }
      case ValueKind::kFieldRef: {
        const std::string* other = this->value(test.other_field);
        return value != nullptr && other != nullptr &&
               compare_text(*value, *other, test.text_op, test.cased);
      }
    }
    return false;
  }

  bool holds(const FieldTest& test) const {
    const std::string* field_value = value(test.field);
    if (test.negate) {
      if (field_value == nullptr) return false;
      for (const ValueTest& value_test : test.values) {
        if (holds(value_test, field_value)) return false;
      }
      return true;
    }
    for (const ValueTest& value_test : test.values) {
      const bool result = holds(value_test, field_value);
      if (test.all && !result) return false;
      if (!test.all && result) return true;
    }
    return test.all;
  }

  bool holds(const Selection& selection) const {
    for (const auto& tests : selection.alternatives) {
      if (std::all_of(tests.begin(), tests.end(),
                      [this](const FieldTest& test) { return holds(test); })) {
        return true;
      }
    }
    return false;
  }

  bool holds(const CompiledRule& rule, std::uint32_t node_index) {
    const ConditionNode& node = rule.condition[node_index];
    switch (node.op) {
      case ConditionNode::Op::kSelection: {
        std::int8_t& known = selection_results[node.selection];
        if (known < 0) known = holds(rule.selections[node.selection]) ? 1 : 0;
        return known == 1;
      }
      case ConditionNode::Op::kNot:
        return !holds(rule, node.children[0]);
      case ConditionNode::Op::kAnd:
        for (auto child : node.children) {
          if (!holds(rule, child)) return false;
        }
        return true;
      case ConditionNode::Op::kOr:
        for (auto child : node.children) {
          if (holds(rule, child)) return true;
        }
        return false;
    }
    return false;
  }

  bool matches(const CompiledRule& rule) {
    if (rule.condition.empty() || !passes_filter(rule.filter)) return false;
    selection_results.assign(rule.selections.size(), -1);
    return holds(rule, static_cast<std::uint32_t>(rule.condition.size() - 1));
  }

  std::uint32_t agent_of(const std::string& agent_id) {
    if (auto found = agent_index.find(std::string_view(agent_id)); found != agent_index.end()) {
      return found->second;
    }
    const auto index = static_cast<std::uint32_t>(agents.size());
    agents.push_back(agent_id);
    agent_index.emplace(agent_id, index);
    return index;
  }

  // The group-by key of `input`: its field values joined by \x1f.
  void build_key(const WindowInput& input) {
    key.clear();
    for (std::size_t i = 0; i < input.group_by.size(); ++i) {
      if (i > 0) key.push_back('\x1f');
      if (const std::string* text = value(input.group_by[i])) key += *text;
    }
  }

  WindowState& window_of(std::uint32_t rule_index) {
    auto& window = windows[rule_index];
    if (!window) {
      window = std::make_unique<WindowState>(compiled->rules[rule_index].window,
                                             limits.max_keys_per_rule);
    }
    return *window;
  }

  // Feeds `refs` to input `input` of `rule`'s window; queues the rule's fire when it fires.
  void feed(std::uint32_t rule_index, std::uint32_t input_index, const Event& event) {
    const CompiledRule& rule = compiled->rules[rule_index];
    const WindowInput& input = rule.window.inputs[input_index];
    std::string_view counted;
    if (rule.window.kind == WindowKind::kValueCount) {
      const std::string* text = value(input.value_field);
      if (text == nullptr) return;  // like SQL's count(distinct), absent values do not count
      counted = *text;
    }
    build_key(input);
    if (!window_of(rule_index)
             .add(key, input_index, event.time_ms, current_refs, counted, now_ms, window_refs)) {
      return;
    }
    Fire fire{rule_index, fire_refs.size(), 0, key, true};
    fire_refs.insert(fire_refs.end(), window_refs.begin(), window_refs.end());
    fire.refs_end = fire_refs.size();
    fires.push_back(std::move(fire));
  }

  std::string entity_of(const CompiledRule& rule, const Fire& fire) const {
    const auto& names = compiled->field_names;
    std::string out;
    const auto add = [&out](std::string_view name, std::string_view text) {
      if (!out.empty()) out += ',';
      out.append(name).append("=").append(text);
    };
    if (!rule.entity_fields.empty()) {
      for (FieldId field : rule.entity_fields) {
        if (const std::string* text = value(field)) add(names[field], *text);
      }
      if (!out.empty()) return out;
    } else if (fire.from_window && !rule.window.group_names.empty()) {
      std::size_t start = 0;
      for (const std::string& name : rule.window.group_names) {
        const std::size_t end = std::min(fire.key.find('\x1f', start), fire.key.size());
        add(name, std::string_view(fire.key).substr(start, end - start));
        start = end + 1;
      }
      return out;
    }
    for (FieldId field : compiled->default_entity) {
      if (const std::string* text = value(field)) {
        add(names[field], *text);
        return out;
      }
    }
    if (const std::string* host = value(compiled->host_name)) {
      add(names[compiled->host_name], *host);
    } else if (const std::string* agent = value(compiled->agent_id)) {
      add(names[compiled->agent_id], *agent);
    }
    return out;
  }

  Detection detection_of(const CompiledRule& rule, const Fire& fire, const Event& event) const {
    Detection detection;
    detection.rule_id = rule.id;
    detection.rule_title = rule.title;
    detection.severity = rule.severity;
    detection.tags = rule.tags;
    detection.dedup_window_ms = rule.dedup_ms;
    detection.time_ms = event.time_ms;
    bool one_agent = true;
    for (std::size_t i = fire.refs_begin; i < fire.refs_end; ++i) {
      detection.event_ids.push_back(fire_refs[i].event_id);
      one_agent = one_agent && fire_refs[i].agent == fire_refs[fire.refs_begin].agent;
    }
    if (fire.refs_end > fire.refs_begin && one_agent) {
      detection.agent_id = agents[fire_refs[fire.refs_begin].agent];
    }
    detection.entity = entity_of(rule, fire);
    if (rule.response) {
      detection.response = rule.response;
      if (const std::string* text = value(rule.response_field)) detection.response->address = *text;
    }
    detection.summary =
        detection.entity.empty() ? rule.title : rule.title + " (" + detection.entity + ")";
    return detection;
  }

  void evaluate(const Event& event, std::vector<Detection>& out) {
    const CompiledRules& rules_now = *compiled;
    next_generation();
    now_ms = std::max(now_ms, event.time_ms);
    candidates.clear();
    bind_event(event);
    for (std::uint32_t rule : rules_now.unconditional_rules) add_candidate(rule);
    if (candidates.empty()) return;
    type_bit = name_bit(rules_now.event_type, rules_now.type_names);
    module_bit = name_bit(rules_now.event_module, rules_now.module_names);

    matched.clear();
    for (std::uint32_t rule_index : candidates) {
      if (matches(rules_now.rules[rule_index])) matched.push_back(rule_index);
    }
    if (matched.empty()) return;
    std::sort(matched.begin(), matched.end());  // detections in rule order

    fires.clear();
    fire_refs.clear();
    const EventRef self{event.time_ms, event.id, agent_of(event.agent_id)};
    for (std::uint32_t rule_index : matched) {
      const CompiledRule& rule = rules_now.rules[rule_index];
      current_refs.assign(1, self);
      if (rule.has_window) {
        feed(rule_index, 0, event);  // a Sigma aggregation: its window decides
      } else {
        fires.push_back({rule_index, fire_refs.size(), fire_refs.size() + 1, {}, false});
        fire_refs.push_back(self);
      }
    }
    // Fires feed correlations, whose fires may feed others; links have no cycles.
    for (std::size_t i = 0; i < fires.size(); ++i) {
      const std::uint32_t rule_index = fires[i].rule;
      const CompiledRule& rule = rules_now.rules[rule_index];
      if (rule.alerts) out.push_back(detection_of(rule, fires[i], event));
      if (rule.feeds.empty()) continue;
      current_refs.assign(fire_refs.begin() + static_cast<std::ptrdiff_t>(fires[i].refs_begin),
                          fire_refs.begin() + static_cast<std::ptrdiff_t>(fires[i].refs_end));
      for (const auto& [target, input] : rule.feeds) feed(target, input, event);
    }
  }
};

Engine::Engine(std::shared_ptr<const RuleSet> rules, EngineLimits limits)
    : state_(std::make_unique<State>()) {
  state_->limits = limits;
  state_->attach(std::move(rules));
  state_->windows.resize(state_->compiled->rules.size());
}

Engine::~Engine() = default;

void Engine::replace_rules(std::shared_ptr<const RuleSet> rules) {
  State& state = *state_;
  const CompiledRules& old_rules = *state.compiled;
  std::unordered_map<std::string_view, std::uint32_t> old_index;
  for (std::uint32_t i = 0; i < old_rules.rules.size(); ++i) old_index[old_rules.rules[i].id] = i;
  auto old_windows = std::move(state.windows);
  const std::shared_ptr<const RuleSet> keep_alive = state.rules;  // old_rules stays valid
  state.attach(std::move(rules));
  const CompiledRules& new_rules = *state.compiled;
  state.windows.clear();
  state.windows.resize(new_rules.rules.size());
  for (std::uint32_t i = 0; i < new_rules.rules.size(); ++i) {
    const CompiledRule& rule = new_rules.rules[i];
    auto found = old_index.find(rule.id);
    if (!rule.has_window || found == old_index.end()) continue;
    const CompiledRule& before = old_rules.rules[found->second];
    if (before.text == rule.text && before.has_window) {
      state.windows[i] = std::move(old_windows[found->second]);
    }
  }
}

void Engine::evaluate(const Event& event, std::vector<Detection>& out) {
  state_->evaluate(event, out);
}

std::size_t Engine::correlation_keys() const {
  std::size_t keys = 0;
  for (const auto& window : state_->windows) {
    if (window) keys += window->keys();
  }
  return keys;
}

}  // namespace sentinel::detection
