#pragma once
// SQL access to firewall policies, their versions and assignments (schema
// src/store/migrations/0008_firewall_policies.sql), over one connection so that the service
// composes it into transactions. Not thread-safe, like the connection it wraps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

class SqlPolicyRepository {
 public:
  explicit SqlPolicyRepository(store::Connection& connection) : connection_(connection) {}

  /// Inserts a policy at version 1 (its version row is insert_version's); returns its id.
  /// kConflict when the name is taken.
  Result<std::int64_t> insert_policy(const PolicySummary& policy);
  Result<std::optional<PolicySummary>> find(std::int64_t id);
  /// By name; `total` counts every policy.
  Result<PolicyPage> list(std::int64_t limit, std::int64_t offset);
  /// Moves the head from `from_version` to `from_version + 1` with the new name, description
  /// and editor; false when the head is no longer `from_version` (another edit came first).
  /// kConflict when the new name is taken.
  Result<bool> advance(const PolicySummary& policy, std::int64_t from_version);
  /// False when there was no such policy. Versions and assignments go with it.
  Result<bool> remove(std::int64_t id);

  /// kConflict when the (policy, version) exists.
  Status insert_version(const PolicyVersion& version);
  /// Newest first, documents left out.
  Result<std::vector<PolicyVersion>> versions(std::int64_t policy_id);
  Result<std::optional<PolicyVersion>> version(std::int64_t policy_id, std::int64_t number);

  /// A policy's assignments, agents first, then by priority (highest first).
  Result<std::vector<Assignment>> assignments(std::int64_t policy_id);
  /// Replaces a policy's assignments.
  Status replace_assignments(std::int64_t policy_id, const std::vector<Assignment>& assignments);
  /// The assignments that name `agent_id` or `group` (none for an empty group).
  Result<std::vector<Assignment>> assignments_for(std::string_view agent_id,
                                                  std::string_view group);

 private:
  store::Connection& connection_;
};

}  // namespace sentinel::firewall
