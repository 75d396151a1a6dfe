#include "sql_policy_repository.h"

namespace sentinel::firewall {
namespace {

constexpr std::string_view kSelectPolicy =
    "SELECT id, name, description, version, created_at, created_by, updated_at, updated_by "
    "FROM firewall_policies";

constexpr std::string_view kSelectAssignment =
    "SELECT policy_id, group_name, agent_id, priority, created_at, created_by "
    "FROM firewall_assignments";

// Agents first, then the highest priority, then the lowest policy id: the order in which
// assignments claim an agent.
constexpr std::string_view kAssignmentOrder =
    " ORDER BY CASE WHEN agent_id IS NULL THEN 1 ELSE 0 END, priority DESC, policy_id, "
    "group_name, agent_id";

PolicySummary policy_of(const store::Row& row) {
  return PolicySummary{.id = row.integer(0),
                       .name = row.text(1),
                       .description = row.text(2),
                       .version = row.integer(3),
                       .created_ms = row.integer(4),
                       .created_by = row.text(5),
                       .updated_ms = row.integer(6),
                       .updated_by = row.text(7)};
}

Assignment assignment_of(const store::Row& row) {
  Assignment assignment;
  assignment.policy_id = row.integer(0);
  if (row.is_null(1)) {
    assignment.target = AssignmentTarget::kAgent;
    assignment.value = row.text(2);
  } else {
    assignment.target = AssignmentTarget::kGroup;
    assignment.value = row.text(1);
  }
  assignment.priority = row.integer(3);
  assignment.created_ms = row.integer(4);
  assignment.created_by = row.text(5);
  return assignment;
}

}  // namespace

Result<std::int64_t> SqlPolicyRepository::insert_policy(const PolicySummary& policy) {
  SENTINEL_ASSIGN(
      rows,
      connection_.query("INSERT INTO firewall_policies (name, description, version, "
                        "created_at, created_by, updated_at, updated_by) "
                        "VALUES ($1, $2, 1, $3, $4, $3, $4) RETURNING id",
                        {policy.name, policy.description, policy.created_ms, policy.created_by}));
  if (rows.empty()) return internal_error("insert into firewall_policies returned no id");
  return rows.front().integer(0);
}

Result<std::optional<PolicySummary>> SqlPolicyRepository::find(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectPolicy) + " WHERE id = $1", {id}));
  if (rows.empty()) return std::optional<PolicySummary>();
  return std::optional<PolicySummary>(policy_of(rows.front()));
}

Result<PolicyPage> SqlPolicyRepository::list(std::int64_t limit, std::int64_t offset) {
  PolicyPage page;
  SENTINEL_ASSIGN(count, connection_.query("SELECT COUNT(*) FROM firewall_policies"));
  page.total = count.empty() ? 0 : count.front().integer(0);
  SENTINEL_ASSIGN(
      rows, connection_.query(std::string(kSelectPolicy) + " ORDER BY name, id LIMIT $1 OFFSET $2",
                              {limit, offset}));
  for (const store::Row& row : rows) page.items.push_back(policy_of(row));
  return page;
}

Result<bool> SqlPolicyRepository::advance(const PolicySummary& policy, std::int64_t from_version) {
  SENTINEL_ASSIGN(changed,
                  connection_.execute("UPDATE firewall_policies SET version = $3, name = $4, "
                                      "description = $5, updated_at = $6, updated_by = $7 "
                                      "WHERE id = $1 AND version = $2",
                                      {policy.id, from_version, from_version + 1, policy.name,
                                       policy.description, policy.updated_ms, policy.updated_by}));
  return changed == 1;
}

Result<bool> SqlPolicyRepository::remove(std::int64_t id) {
  // Explicitly, besides the cascades: SQLite enforces them only with its foreign_keys pragma.
  SENTINEL_TRY(connection_.execute("DELETE FROM firewall_assignments WHERE policy_id = $1", {id}));
  SENTINEL_TRY(
      connection_.execute("DELETE FROM firewall_policy_versions WHERE policy_id = $1", {id}));
  SENTINEL_ASSIGN(changed,
                  connection_.execute("DELETE FROM firewall_policies WHERE id = $1", {id}));
  return changed == 1;
}

Status SqlPolicyRepository::insert_version(const PolicyVersion& version) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO firewall_policy_versions (policy_id, version, author, created_at, comment, "
      "document, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {version.policy_id, version.version, version.author, version.created_ms, version.comment,
       version.document_json, version.sha256}));
  return ok();
}

Result<std::vector<PolicyVersion>> SqlPolicyRepository::versions(std::int64_t policy_id) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT policy_id, version, author, created_at, comment, sha256 "
                              "FROM firewall_policy_versions WHERE policy_id = $1 "
                              "ORDER BY version DESC",
                              {policy_id}));
  std::vector<PolicyVersion> out;
  for (const store::Row& row : rows) {
    out.push_back(PolicyVersion{.policy_id = row.integer(0),
                                .version = row.integer(1),
                                .author = row.text(2),
                                .created_ms = row.integer(3),
                                .comment = row.text(4),
                                .document_json = {},
                                .sha256 = row.text(5)});
  }
  return out;
}

Result<std::optional<PolicyVersion>> SqlPolicyRepository::version(std::int64_t policy_id,
                                                                  std::int64_t number) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT policy_id, version, author, created_at, comment, document, "
                              "sha256 FROM firewall_policy_versions "
                              "WHERE policy_id = $1 AND version = $2",
                              {policy_id, number}));
  if (rows.empty()) return std::optional<PolicyVersion>();
  const store::Row& row = rows.front();
  return std::optional<PolicyVersion>(PolicyVersion{.policy_id = row.integer(0),
                                                    .version = row.integer(1),
                                                    .author = row.text(2),
                                                    .created_ms = row.integer(3),
                                                    .comment = row.text(4),
                                                    .document_json = row.text(5),
                                                    .sha256 = row.text(6)});
}

Result<std::vector<Assignment>> SqlPolicyRepository::assignments(std::int64_t policy_id) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectAssignment) + " WHERE policy_id = $1" +
                                              std::string(kAssignmentOrder),
                                          {policy_id}));
  std::vector<Assignment> out;
  for (const store::Row& row : rows) out.push_back(assignment_of(row));
  return out;
}

Status SqlPolicyRepository::replace_assignments(std::int64_t policy_id,
                                                const std::vector<Assignment>& assignments) {
  SENTINEL_TRY(
      connection_.execute("DELETE FROM firewall_assignments WHERE policy_id = $1", {policy_id}));
  for (const Assignment& assignment : assignments) {
    const bool agent = assignment.target == AssignmentTarget::kAgent;
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO firewall_assignments (policy_id, group_name, agent_id, priority, "
        "created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
        {policy_id, agent ? store::Value(nullptr) : store::Value(assignment.value),
         agent ? store::Value(assignment.value) : store::Value(nullptr), assignment.priority,
         assignment.created_ms, assignment.created_by}));
  }
  return ok();
}

Result<std::vector<Assignment>> SqlPolicyRepository::assignments_for(std::string_view agent_id,
                                                                     std::string_view group) {
  // An empty group matches no group assignment: group names are never empty.
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectAssignment) +
                                              " WHERE agent_id = $1 OR group_name = $2" +
                                              std::string(kAssignmentOrder),
                                          {std::string(agent_id), std::string(group)}));
  std::vector<Assignment> out;
  for (const store::Row& row : rows) out.push_back(assignment_of(row));
  return out;
}

}  // namespace sentinel::firewall
