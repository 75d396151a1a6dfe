#pragma once
// The difference between two versions of a policy (ADR 0006 "Policy model"): per rule id
// added, removed, moved or changed (with the fields), per object added, removed or changed,
// and default policy changes.

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/firewall/policy.h"

namespace sentinel::firewall {

/// Where a rule is: its chain and index.
struct RulePosition {
  ChainKind chain = ChainKind::kInput;
  std::size_t index = 0;
};

/// kMoved: only its place changed (another chain, or its order relative to the rules both
/// versions share); kChanged: some other field changed too (`fields` lists them all).
enum class RuleChangeKind { kAdded, kRemoved, kMoved, kChanged };

/// One rule's change.
struct RuleChange {
  RuleChangeKind kind = RuleChangeKind::kChanged;
  std::string id;
  std::optional<RulePosition> before;
  std::optional<RulePosition> after;
  std::vector<std::string> fields;  // JSON key names, plus "chain" and "position"
};

/// "address_set", "port_set", "service".
enum class ObjectChangeKind { kAdded, kRemoved, kChanged };

/// One object's change. For sets, the entries (canonical text) that came and went.
struct ObjectChange {
  ObjectChangeKind kind = ObjectChangeKind::kChanged;
  std::string object_type;  // "address_set", "port_set", "service"
  std::string name;
  std::vector<std::string> fields;
  std::vector<std::string> added_entries;
  std::vector<std::string> removed_entries;
};

/// A chain whose default policy changed.
struct DefaultPolicyChange {
  ChainKind chain = ChainKind::kInput;
  DefaultPolicy before = DefaultPolicy::kAccept;
  DefaultPolicy after = DefaultPolicy::kAccept;
};

/// Everything that differs, in a deterministic order (chains, then document order).
struct PolicyDiff {
  bool description_changed = false;
  std::vector<DefaultPolicyChange> default_policies;
  std::vector<ObjectChange> objects;
  std::vector<RuleChange> rules;
  bool empty() const {
    return !description_changed && default_policies.empty() && objects.empty() && rules.empty();
  }
};

/// The changes that turn `before` into `after`. Pure.
PolicyDiff diff_policies(const PolicyDocument& before, const PolicyDocument& after);

/// The diff as JSON for the API and the CLI.
boost::json::value to_json(const PolicyDiff& diff);

}  // namespace sentinel::firewall
