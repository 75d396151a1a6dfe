#pragma once
// The compiled form of a rule set: what the loader builds and the Engine runs. Immutable once
// built, so one instance serves every Engine and thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ip_network.h"
#include "pattern_database.h"
#include "sentinel/detection/detection.h"
#include "sentinel/detection/rules.h"
#include "text.h"

namespace sentinel::detection {

/// Index of a field name in CompiledRules::field_names.
using FieldId = std::uint32_t;
/// Index of one vectorscan pattern; also its id inside its field's database.
using SlotId = std::uint32_t;

inline constexpr FieldId kNoField = UINT32_MAX;

/// How one value of a field test is checked.
enum class ValueKind : std::uint8_t {
  kPattern,   // a vectorscan pattern matched (slot)
  kNull,      // the field is absent or empty (`null`)
  kEmpty,     // the field is present and empty (`''`)
  kPresent,   // the field is present, any value (`*`, `contains: ''`)
  kExists,    // `exists: true`
  kMissing,   // `exists: false`
  kNumber,    // gt/gte/lt/lte
  kCidr,      // cidr
  kFieldRef,  // fieldref: compared with another field of the event
};

enum class NumberOp : std::uint8_t { kLt, kLte, kGt, kGte };
enum class TextOp : std::uint8_t { kEquals, kContains, kStartsWith, kEndsWith };

/// One value of a field test.
struct ValueTest {
  ValueKind kind = ValueKind::kPattern;
  NumberOp number_op = NumberOp::kGt;
  TextOp text_op = TextOp::kEquals;
  bool cased = false;              // kFieldRef
  SlotId slot = 0;                 // kPattern
  FieldId other_field = kNoField;  // kFieldRef
  double number = 0;               // kNumber
  IpNetwork network;               // kCidr
};

/// `field|modifiers: values`: true when any value holds (all of them with `|all`); with `|neq`,
/// true when the field is present and no value holds.
struct FieldTest {
  FieldId field = kNoField;
  bool all = false;
  bool negate = false;
  std::vector<ValueTest> values;
};

/// A named search identifier: an OR of alternatives, each an AND of field tests.
struct Selection {
  std::string name;
  std::vector<std::vector<FieldTest>> alternatives;
};

/// A node of a compiled condition; the root is the last node.
struct ConditionNode {
  enum class Op : std::uint8_t { kSelection, kAnd, kOr, kNot };
  Op op = Op::kSelection;
  std::uint32_t selection = 0;          // kSelection
  std::vector<std::uint32_t> children;  // kAnd, kOr, kNot (one)
};

/// Which events a rule looks at (from its `logsource`). The loader turns the names into bit
/// masks over CompiledRules::type_names and module_names (bit 63: any other name).
struct EventFilter {
  std::vector<std::string> types;           // event types; empty: every type
  std::vector<std::string> excluded_types;  // event types it never looks at
  std::vector<std::string> modules;         // `event.module` values; empty: every module
  std::uint64_t type_mask = ~0ULL;
  std::uint64_t module_mask = ~0ULL;
};

/// The bit for names not listed in a mask's name table.
inline constexpr int kOtherNameBit = 63;

enum class WindowKind : std::uint8_t { kEventCount, kValueCount, kTemporal, kTemporalOrdered };

/// One input of a window: the rule whose fires feed it and the fields read from its events.
struct WindowInput {
  std::uint32_t rule = 0;
  std::vector<FieldId> group_by;   // one per group-by name (aliases resolved)
  FieldId value_field = kNoField;  // value_count
};

/// A window over the fires of other rules (a correlation) or of the rule itself (a Sigma
/// aggregation). Fires when `threshold` is reached within `span_ms`, then starts over.
struct WindowSpec {
  WindowKind kind = WindowKind::kEventCount;
  std::int64_t span_ms = 0;
  std::size_t threshold = 1;  // events, distinct values, or distinct inputs (temporal)
  std::vector<std::string> group_names;
  std::vector<WindowInput> inputs;
};

/// A rule ready to run.
struct CompiledRule {
  std::string id;
  std::string title;
  std::string text;  // the YAML document: a reload keeps the windows when id and text are equal
  Severity severity = Severity::kMedium;
  std::vector<std::string> tags;
  bool is_correlation = false;
  bool alerts = true;  // false for rules only feeding correlations (Sigma `generate`)
  std::int64_t dedup_ms = 15 * 60 * 1000;
  std::vector<FieldId> entity_fields;  // explicit `entity:`; empty: group-by, else the defaults
  // `response: block:`; `address` stays empty here, the Engine fills it from response_field.
  std::optional<BlockResponse> response;
  FieldId response_field = kNoField;
  // Detection rules.
  EventFilter filter;
  std::vector<Selection> selections;
  std::vector<ConditionNode> condition;
  // Aggregations and correlations.
  bool has_window = false;
  WindowSpec window;
  // Correlations fed by this rule's fires: (rule, input index), by rule, input descending.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> feeds;
};

/// Everything the Engine needs, built once by the loader.
struct CompiledRules {
  std::vector<CompiledRule> rules;
  std::vector<std::string> field_names;
  std::unordered_map<std::string, FieldId, TransparentHash, std::equal_to<>> field_ids;
  std::vector<PatternDatabase> databases;  // by FieldId; empty when the field has no pattern
  std::size_t slot_count = 0;
  // slot -> [begin, begin of next) in slot_rules: the rules a match of the slot makes
  // candidates. Each rule is listed under its trigger patterns only (rule_loader.cpp), a set
  // of which one has matched whenever its condition holds.
  std::vector<std::uint32_t> slot_rule_begin;
  std::vector<std::uint32_t> slot_rules;
  // Rules whose condition may hold with no pattern matched (`not ...`, only cidr, ...):
  // evaluated on every event their filter lets in.
  std::vector<std::uint32_t> unconditional_rules;
  std::vector<std::string> type_names;    // at most 63: the names EventFilter masks refer to
  std::vector<std::string> module_names;  // likewise for `event.module`
  // Fields the Engine reads by name.
  FieldId event_type = kNoField;
  FieldId event_module = kNoField;
  FieldId agent_id = kNoField;
  std::vector<FieldId> default_entity;  // source.ip, user.name, file.path, process.executable
  FieldId host_name = kNoField;
};

}  // namespace sentinel::detection
