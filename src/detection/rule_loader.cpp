// load_rules: parses every document of every source, rejects duplicate ids, compiles the
// patterns into one vectorscan database per field, links correlations to the rules they name,
// and builds the immutable CompiledRules. A rule with a problem is left out; the rest load.

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "compiled_rules.h"
#include "rule_parsers.h"
#include "sigma_mapping.h"
#include "yaml_documents.h"

namespace sentinel::detection {

FieldId FieldTable::intern(std::string_view name) {
  if (auto found = ids_.find(name); found != ids_.end()) return found->second;
  const auto id = static_cast<FieldId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

RuleSet::RuleSet(std::vector<RuleInfo> rules, std::unique_ptr<const CompiledRules> compiled)
    : rules_(std::move(rules)), compiled_(std::move(compiled)) {}

RuleSet::~RuleSet() = default;

namespace {

// Larger rule files are refused rather than parsed: no rule file needs to be this big.
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

constexpr std::size_t kNone = SIZE_MAX;

// A pattern shared by every rule that uses the same field, expression and flags.
struct Slot {
  FieldId field = kNoField;
  std::string expression;
  unsigned flags = 0;
  std::vector<std::size_t> drafts;
};

// Trigger patterns: a set of patterns at least one of which matched whenever the rule's
// condition holds, so that only their matches need to make the rule a candidate. Among the
// parts of an AND it takes the one whose patterns the fewest rules share (a rare value rather
// than `event.outcome: failure`). nullopt: the condition may hold with no pattern matched.
using Trigger = std::optional<std::vector<SlotId>>;

class TriggerPlanner {
 public:
  explicit TriggerPlanner(const std::vector<std::uint32_t>& rules_per_slot)
      : rules_per_slot_(rules_per_slot) {}

  Trigger of(const CompiledRule& rule) const {
    std::vector<Trigger> selections;
    for (const Selection& selection : rule.selections) {
      std::vector<Trigger> alternatives;
      for (const auto& tests : selection.alternatives) {
        std::vector<Trigger> parts;
        for (const FieldTest& test : tests) parts.push_back(of(test));
        alternatives.push_back(any_of_parts(parts, true));
      }
      selections.push_back(any_of_parts(alternatives, false));
    }
    std::vector<Trigger> nodes;
    for (const ConditionNode& node : rule.condition) {
      std::vector<Trigger> children;
      for (auto child : node.children) children.push_back(nodes[child]);
      switch (node.op) {
        case ConditionNode::Op::kSelection:
          nodes.push_back(selections[node.selection]);
          break;
        case ConditionNode::Op::kNot:
          nodes.push_back(std::nullopt);
          break;
        case ConditionNode::Op::kAnd:
          nodes.push_back(any_of_parts(children, true));
          break;
        case ConditionNode::Op::kOr:
          nodes.push_back(any_of_parts(children, false));
          break;
      }
    }
    return nodes.empty() ? std::nullopt : nodes.back();
  }

 private:
  Trigger of(const FieldTest& test) const {
    if (test.negate) return std::nullopt;
    std::vector<SlotId> slots;
    bool other = false;
    for (const ValueTest& value : test.values) {
      if (value.kind == ValueKind::kPattern) {
        slots.push_back(value.slot);
      } else {
        other = true;
      }
    }
    if (slots.empty()) return std::nullopt;
    if (!test.all) return other ? std::nullopt : Trigger(std::move(slots));
    // Every value must hold: its rarest pattern will have matched.
    const SlotId rarest = *std::min_element(slots.begin(), slots.end(), [this](SlotId a, SlotId b) {
      return rules_per_slot_[a] < rules_per_slot_[b];
    });
    return std::vector<SlotId>{rarest};
  }

  std::size_t cost(const std::vector<SlotId>& slots) const {
    std::size_t total = 0;
    for (SlotId slot : slots) total += rules_per_slot_[slot];
    return total;
  }

  // AND: the cheapest part with a trigger; OR: all parts' triggers, if each has one.
  Trigger any_of_parts(const std::vector<Trigger>& parts, bool conjunction) const {
    if (parts.empty()) return std::nullopt;
    if (conjunction) {
      const Trigger* best = nullptr;
      for (const Trigger& part : parts) {
        if (part && (best == nullptr || cost(*part) < cost(**best))) best = &part;
      }
      return best == nullptr ? std::nullopt : *best;
    }
    std::vector<SlotId> slots;
    for (const Trigger& part : parts) {
      if (!part) return std::nullopt;
      slots.insert(slots.end(), part->begin(), part->end());
    }
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return slots;
  }

  const std::vector<std::uint32_t>& rules_per_slot_;
};

// Bit masks of `filter` over `names` (extended with the filter's names, at most 63).
void build_masks(EventFilter& filter, std::vector<std::string>& types,
                 std::vector<std::string>& modules) {
  const auto bit_of = [](std::vector<std::string>& names, const std::string& name) {
    auto found = std::find(names.begin(), names.end(), name);
    if (found != names.end()) return static_cast<int>(found - names.begin());
    if (names.size() >= kOtherNameBit) return -1;  // not expected: ~20 names exist
    names.push_back(name);
    return static_cast<int>(names.size() - 1);
  };
  if (!filter.types.empty()) {
    filter.type_mask = 0;
    for (const std::string& type : filter.types) {
      const int bit = bit_of(types, type);
      filter.type_mask |= bit < 0 ? ~0ULL : 1ULL << bit;
    }
  }
  for (const std::string& type : filter.excluded_types) {
    const int bit = bit_of(types, type);
    if (bit >= 0) filter.type_mask &= ~(1ULL << bit);
  }
  if (!filter.modules.empty()) {
    filter.module_mask = 0;
    for (const std::string& module : filter.modules) {
      const int bit = bit_of(modules, module);
      filter.module_mask |= bit < 0 ? ~0ULL : 1ULL << bit;
    }
  }
}

class Loader {
 public:
  explicit Loader(const std::vector<RuleSource>& sources) : sources_(sources) {
    for (const RuleSource& source : sources) reports_.push_back({source.file, 0, {}});
  }

  RuleLoad run() {
    for (std::size_t i = 0; i < sources_.size(); ++i) parse_source(i);
    reject_duplicates();
    compile_patterns();
    link_correlations();
    return {build(), std::move(reports_)};
  }

 private:
  ProblemSink sink_for(const RuleDraft& draft) {
    ProblemSink sink(sources_[draft.source].file, draft.first_line,
                     reports_[draft.source].problems);
    sink.set_fallback(draft.id_mark);
    return sink;
  }

  void fail(std::size_t index, const YAML::Mark& mark, std::string reason) {
    sink_for(drafts_[index]).add(mark, std::move(reason));
    drafts_[index].failed = true;
  }

  void parse_source(std::size_t index) {
    const RuleSource& source = sources_[index];
    std::vector<RuleProblem>& problems = reports_[index].problems;
    if (source.text.size() > kMaxFileBytes) {
      problems.push_back({source.file, 0, 0, "larger than 16 MiB: not loaded"});
      return;
    }
    for (YamlDocument& document : split_documents(source.text)) {
      ProblemSink sink(source.file, document.first_line, problems);
      try {
        const YAML::Node node = YAML::Load(document.text);
        if (node.IsNull()) continue;  // only comments
        if (!node.IsMap()) {
          sink.add(node, "a rule document must be a map (title, id, logsource, detection, ...)");
          continue;
        }
        sink.set_fallback(node.Mark());
        RuleDraft draft = parse_rule_document(node, document.text, sink, fields_);
        draft.source = index;
        draft.first_line = document.first_line;
        if (draft.id_mark.is_null()) draft.id_mark = node.Mark();
        drafts_.push_back(std::move(draft));
      } catch (const YAML::Exception& error) {
        sink.add(error.mark, "YAML: " + error.msg);
      } catch (const std::exception& error) {
        sink.add(YAML::Mark::null_mark(), std::string("cannot load: ") + error.what());
      }
    }
  }

  void reject_duplicates() {
    std::unordered_map<std::string, std::size_t> ids, names;
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      RuleDraft& draft = drafts_[i];
      const auto where = [this](std::size_t first) {
        const RuleDraft& other = drafts_[first];
        return sources_[other.source].file + ":" +
               std::to_string(sink_for(other).position(other.id_mark).first);
      };
      if (!draft.info.id.empty()) {
        auto [it, added] = ids.emplace(draft.info.id, i);
        if (!added)
          fail(i, draft.id_mark,
               "duplicate id '" + draft.info.id + "' (also at " + where(it->second) + ")");
      }
      if (!draft.name.empty()) {
        auto [it, added] = names.emplace(draft.name, i);
        if (!added)
          fail(i, draft.name_mark,
               "duplicate name '" + draft.name + "' (also at " + where(it->second) + ")");
      }
    }
    ids_ = std::move(ids);
    names_ = std::move(names);
  }

  void compile_patterns() {
    std::map<std::tuple<FieldId, std::string, unsigned>, SlotId> known;
    std::vector<std::vector<SlotId>> draft_slots(drafts_.size());
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (drafts_[i].failed) continue;
      for (const PatternUse& use : drafts_[i].patterns) {
        auto [it, added] = known.emplace(std::make_tuple(use.field, use.expression, use.flags),
                                         static_cast<SlotId>(slots_.size()));
        if (added) slots_.push_back({use.field, use.expression, use.flags, {}});
        Slot& slot = slots_[it->second];
        if (slot.drafts.empty() || slot.drafts.back() != i) slot.drafts.push_back(i);
        draft_slots[i].push_back(it->second);
      }
    }
    std::map<FieldId, std::vector<SlotId>> by_field;
    for (SlotId slot = 0; slot < slots_.size(); ++slot)
      by_field[slots_[slot].field].push_back(slot);
    for (auto& [field, slots] : by_field) compile_field(field, slots, draft_slots);
    // Slots now replace the per-draft pattern indices.
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (drafts_[i].failed) continue;
      for (Selection& selection : drafts_[i].rule.selections) {
        for (auto& tests : selection.alternatives) {
          for (FieldTest& test : tests) {
            for (ValueTest& value : test.values) {
              if (value.kind == ValueKind::kPattern) value.slot = draft_slots[i][value.slot];
            }
          }
        }
      }
    }
  }

  // Compiles one field's database, leaving out the rules whose pattern vectorscan refuses.
  void compile_field(FieldId field, const std::vector<SlotId>& slots,
                     const std::vector<std::vector<SlotId>>& draft_slots) {
    while (true) {
      std::vector<PatternSpec> specs;
      for (SlotId slot : slots) {
        const bool used = std::any_of(slots_[slot].drafts.begin(), slots_[slot].drafts.end(),
                                      [this](std::size_t d) { return !drafts_[d].failed; });
        if (used) specs.push_back({slots_[slot].expression, slots_[slot].flags, slot});
      }
      if (specs.empty()) return;
      PatternError error;
      PatternDatabase database = PatternDatabase::compile(specs, error);
      if (database) {
        if (databases_.size() <= field) databases_.resize(field + 1);
        databases_[field] = std::move(database);
        return;
      }
      // Blame the pattern vectorscan named, or every rule of the field when it named none.
      std::vector<SlotId> blamed;
      if (error.pattern >= 0 && static_cast<std::size_t>(error.pattern) < specs.size()) {
        blamed.push_back(specs[error.pattern].id);
      } else {
        for (const PatternSpec& spec : specs) blamed.push_back(spec.id);
      }
      for (SlotId slot : blamed) {
        for (std::size_t d : slots_[slot].drafts) {
          if (drafts_[d].failed) continue;
          const auto& uses = draft_slots[d];
          const auto at = std::find(uses.begin(), uses.end(), slot) - uses.begin();
          fail(d, drafts_[d].patterns[at].mark,
               "vectorscan cannot compile this value: " + error.message);
        }
      }
    }
  }

  std::size_t resolve(const std::string& reference) const {
    if (auto it = ids_.find(reference); it != ids_.end()) return it->second;
    if (auto it = names_.find(reference); it != names_.end()) return it->second;
    return kNone;
  }

  void link_correlations() {
    targets_.assign(drafts_.size(), {});
    std::vector<bool> referenced(drafts_.size(), false), generate(drafts_.size(), false);
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (!drafts_[i].correlation) continue;
      const CorrelationDraft& correlation = *drafts_[i].correlation;
      for (const RuleReference& reference : correlation.rules) {
        const std::size_t target = resolve(reference.name);
        targets_[i].push_back(target);
        if (target == kNone) {
          fail(i, reference.mark, "no rule has the id or name '" + reference.name + "'");
        } else if (target == i) {
          fail(i, reference.mark, "a correlation cannot refer to itself");
        } else {
          // Sigma: rules a correlation refers to do not alert on their own unless it says
          // `generate: true`. Also when the correlation itself failed to load.
          referenced[target] = true;
          generate[target] = generate[target] || correlation.generate;
        }
      }
    }
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      drafts_[i].rule.alerts = drafts_[i].generate.value_or(!referenced[i] || generate[i]);
    }
    drop_broken_references();
    drop_cycles();
    drop_broken_references();
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (drafts_[i].correlation && !drafts_[i].failed) resolve_inputs(i);
    }
    drop_broken_references();
  }

  // Fails every correlation that refers to a rule that did not load, until none is left.
  void drop_broken_references() {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i < drafts_.size(); ++i) {
        if (!drafts_[i].correlation || drafts_[i].failed) continue;
        const auto& references = drafts_[i].correlation->rules;
        for (std::size_t k = 0; k < references.size(); ++k) {
          const std::size_t target = targets_[i][k];
          if (target == kNone || !drafts_[target].failed) continue;
          fail(i, references[k].mark,
               "refers to rule '" + references[k].name + "', which did not load");
          changed = true;
          break;
        }
      }
    }
  }

  void drop_cycles() {
    enum class Mark { kNew, kActive, kDone };
    std::vector<Mark> marks(drafts_.size(), Mark::kNew);
    std::vector<std::size_t> stack;
    std::vector<std::size_t> in_cycle;
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
      marks[i] = Mark::kActive;
      stack.push_back(i);
      for (std::size_t target : targets_[i]) {
        if (target == kNone || !drafts_[target].correlation) continue;
        if (marks[target] == Mark::kActive) {
          auto from = std::find(stack.begin(), stack.end(), target);
          in_cycle.insert(in_cycle.end(), from, stack.end());
        } else if (marks[target] == Mark::kNew) {
          visit(target);
        }
      }
      stack.pop_back();
      marks[i] = Mark::kDone;
    };
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (drafts_[i].correlation && marks[i] == Mark::kNew) visit(i);
    }
    for (std::size_t i : in_cycle) {
      if (!drafts_[i].failed) {
        fail(i, drafts_[i].correlation->mark, "correlations refer to each other in a cycle");
      }
    }
  }

  // The window inputs of a correlation: its rules and the fields its group-by names in each
  // (through aliases).
  void resolve_inputs(std::size_t index) {
    RuleDraft& draft = drafts_[index];
    const CorrelationDraft& correlation = *draft.correlation;
    WindowSpec& window = draft.rule.window;
    draft.rule.has_window = true;
    window.kind = correlation.kind;
    window.span_ms = correlation.span_ms;
    for (const std::string& name : correlation.group_by) {
      window.group_names.push_back(
          correlation.aliases.count(name) != 0 ? name : std::string(map_field_name(name)));
    }
    const auto field_for = [&](const std::string& name, const RuleDraft& target,
                               const RuleReference& reference) -> std::optional<FieldId> {
      auto alias = correlation.aliases.find(name);
      if (alias == correlation.aliases.end()) return fields_.intern(map_field_name(name));
      for (const std::string* key : {&target.name, &target.info.id, &reference.name}) {
        if (auto it = alias->second.find(*key); !key->empty() && it != alias->second.end()) {
          return fields_.intern(map_field_name(it->second));
        }
      }
      fail(index, correlation.mark,
           "alias '" + name + "' gives no field for rule '" + reference.name + "'");
      return std::nullopt;
    };
    for (std::size_t k = 0; k < correlation.rules.size(); ++k) {
      const RuleDraft& target = drafts_[targets_[index][k]];
      WindowInput input;
      input.rule = static_cast<std::uint32_t>(targets_[index][k]);  // a draft index for now
      for (const std::string& name : correlation.group_by) {
        auto field = field_for(name, target, correlation.rules[k]);
        if (!field) return;
        input.group_by.push_back(*field);
      }
      if (correlation.kind == WindowKind::kValueCount) {
        auto field = field_for(correlation.value_field, target, correlation.rules[k]);
        if (!field) return;
        input.value_field = *field;
      }
      window.inputs.push_back(std::move(input));
    }
    const std::size_t inputs = window.inputs.size();
    const bool temporal = correlation.kind == WindowKind::kTemporal ||
                          correlation.kind == WindowKind::kTemporalOrdered;
    window.threshold = temporal && correlation.threshold == 0 ? inputs : correlation.threshold;
    if (correlation.kind == WindowKind::kTemporalOrdered) window.threshold = inputs;
  }

  std::shared_ptr<const RuleSet> build() {
    auto compiled = std::make_unique<CompiledRules>();
    std::vector<RuleInfo> infos;
    std::vector<std::uint32_t> final_index(drafts_.size(), UINT32_MAX);
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (drafts_[i].failed) continue;
      final_index[i] = static_cast<std::uint32_t>(compiled->rules.size());
      compiled->rules.push_back(std::move(drafts_[i].rule));
      infos.push_back(std::move(drafts_[i].info));
      ++reports_[drafts_[i].source].rules;
    }
    auto& rules = compiled->rules;
    for (std::uint32_t r = 0; r < rules.size(); ++r) {
      CompiledRule& rule = rules[r];
      if (!rule.has_window) continue;
      if (!rule.is_correlation) {
        rule.window.inputs[0].rule = r;  // a Sigma aggregation counts its own matches
        continue;
      }
      for (std::uint32_t k = 0; k < rule.window.inputs.size(); ++k) {
        WindowInput& input = rule.window.inputs[k];
        input.rule = final_index[input.rule];
        rules[input.rule].feeds.emplace_back(r, k);
      }
    }
    // How many rules use each pattern, for choosing triggers.
    std::vector<std::uint32_t> rules_per_slot(slots_.size(), 0);
    for (CompiledRule& rule : rules) {
      std::vector<SlotId> used;
      for (const Selection& selection : rule.selections) {
        for (const auto& tests : selection.alternatives) {
          for (const FieldTest& test : tests) {
            for (const ValueTest& value : test.values) {
              if (value.kind == ValueKind::kPattern) used.push_back(value.slot);
            }
          }
        }
      }
      std::sort(used.begin(), used.end());
      used.erase(std::unique(used.begin(), used.end()), used.end());
      for (SlotId slot : used) ++rules_per_slot[slot];
    }
    const TriggerPlanner planner(rules_per_slot);
    std::vector<std::vector<std::uint32_t>> slot_rules(slots_.size());
    for (std::uint32_t r = 0; r < rules.size(); ++r) {
      CompiledRule& rule = rules[r];
      std::sort(rule.feeds.begin(), rule.feeds.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second > b.second;
      });
      if (rule.is_correlation) continue;
      build_masks(rule.filter, compiled->type_names, compiled->module_names);
      const Trigger trigger = planner.of(rule);
      if (!trigger) {
        compiled->unconditional_rules.push_back(r);
        continue;
      }
      for (SlotId slot : *trigger) slot_rules[slot].push_back(r);
    }
    compiled->slot_count = slots_.size();
    for (const auto& users : slot_rules) {
      compiled->slot_rule_begin.push_back(static_cast<std::uint32_t>(compiled->slot_rules.size()));
      compiled->slot_rules.insert(compiled->slot_rules.end(), users.begin(), users.end());
    }
    compiled->slot_rule_begin.push_back(static_cast<std::uint32_t>(compiled->slot_rules.size()));

    compiled->event_type = fields_.intern("event.type");
    compiled->event_module = fields_.intern("event.module");
    compiled->agent_id = fields_.intern("agent.id");
    compiled->host_name = fields_.intern("host.name");
    for (std::string_view name : {"source.ip", "user.name", "file.path", "process.executable"}) {
      compiled->default_entity.push_back(fields_.intern(name));
    }
    compiled->field_names = fields_.take_names();
    compiled->field_ids = fields_.take_ids();
    databases_.resize(compiled->field_names.size());
    compiled->databases = std::move(databases_);
    return std::make_shared<const RuleSet>(std::move(infos), std::move(compiled));
  }

  const std::vector<RuleSource>& sources_;
  std::vector<RuleFileReport> reports_;
  std::vector<RuleDraft> drafts_;
  FieldTable fields_;
  std::unordered_map<std::string, std::size_t> ids_, names_;
  std::vector<Slot> slots_;
  std::vector<PatternDatabase> databases_;
  std::vector<std::vector<std::size_t>> targets_;  // per correlation draft: drafts it names
};

}  // namespace

RuleLoad load_rules(const std::vector<RuleSource>& sources) {
  try {
    return Loader(sources).run();
  } catch (const std::exception& error) {
    // Only resource exhaustion gets here; report it on every file rather than throw.
    RuleLoad load;
    load.rules =
        std::make_shared<const RuleSet>(std::vector<RuleInfo>{}, std::make_unique<CompiledRules>());
    for (const RuleSource& source : sources) {
      load.files.push_back(
          {source.file, 0, {{source.file, 0, 0, std::string("cannot load: ") + error.what()}}});
    }
    return load;
  }
}

}  // namespace sentinel::detection
