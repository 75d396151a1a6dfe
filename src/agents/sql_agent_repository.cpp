#include "sql_agent_repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "placement.h"

namespace sentinel::agents {
namespace {

// The newest certificate comes along as two correlated subqueries (portable, indexed).
constexpr std::string_view kColumns =
    "a.id, a.hostname, a.os, a.kernel, a.arch, a.agent_version, a.group_name, a.labels, "
    "a.enrolled_at, a.first_seen, a.last_seen, a.last_address, a.connected, a.revoked_at, "
    "(SELECT c.serial FROM agent_certificates c WHERE c.agent_id = a.id "
    "ORDER BY c.issued_at DESC, c.serial DESC LIMIT 1), "
    "(SELECT c.not_after FROM agent_certificates c WHERE c.agent_id = a.id "
    "ORDER BY c.issued_at DESC, c.serial DESC LIMIT 1)";

AgentRecord record_from_row(const store::Row& row) {
  AgentRecord agent;
  agent.id = row.text(0);
  agent.facts = {row.text(1), row.text(2), row.text(3), row.text(4), row.text(5)};
  agent.group = row.text(6);
  agent.labels = labels_from_text(row.text(7));
  agent.enrolled_at_ms = row.integer(8);
  agent.first_seen_ms = row.optional_integer(9);
  agent.last_seen_ms = row.optional_integer(10);
  agent.last_address = row.text(11);
  agent.connected = row.integer(12) != 0;
  agent.revoked_at_ms = row.optional_integer(13);
  if (!row.is_null(14)) agent.certificate = CertificateSummary{row.text(14), row.integer(15)};
  return agent;
}

// LIKE pattern for a case-insensitive substring: '\' escapes the wildcards in the text.
std::string contains_pattern(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "%";
}

// The WHERE clause of a filter and its parameters ($1.. in order).
struct Where {
  std::string sql;
  store::Params params;

  void add(std::string condition) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += condition;
  }
  std::string next() { return fmt::format("${}", params.size() + 1); }
};

// The status conditions are agent_status.h's rule in SQL.
Where where_of(const AgentFilter& filter, std::int64_t now_ms, std::int64_t offline_after_ms) {
  Where where;
  if (filter.status) {
    switch (*filter.status) {
      case AgentStatus::kRevoked:
        where.add("a.revoked_at IS NOT NULL");
        break;
      case AgentStatus::kOnline:
        where.add("a.revoked_at IS NULL AND a.connected = 1 AND a.last_seen >= " + where.next());
        where.params.emplace_back(now_ms - offline_after_ms);
        break;
      case AgentStatus::kOffline:
        where.add(
            "a.revoked_at IS NULL AND (a.connected = 0 OR a.last_seen IS NULL OR a.last_seen < " +
            where.next() + ")");
        where.params.emplace_back(now_ms - offline_after_ms);
        break;
    }
  }
  if (filter.group) {
    where.add("a.group_name = " + where.next());
    where.params.emplace_back(*filter.group);
  }
  if (filter.label) {
    const std::string key = where.next();
    where.params.emplace_back(filter.label->first);
    const std::string value = where.next();
    where.params.emplace_back(filter.label->second);
    where.add("EXISTS (SELECT 1 FROM agent_labels l WHERE l.agent_id = a.id AND l.label_key = " +
              key + " AND l.label_value = " + value + ")");
  }
  if (!filter.search.empty()) {
    const std::string pattern = where.next();
    where.params.emplace_back(contains_pattern(filter.search));
    where.add(fmt::format("(lower(a.hostname) LIKE {0} ESCAPE '\\' OR a.id LIKE {0} ESCAPE '\\')",
                          pattern));
  }
  return where;
}

}  // namespace

Status SqlAgentRepository::insert(const AgentRecord& agent) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO agents (id, hostname, os, kernel, arch, agent_version, group_name, labels, "
      "enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {agent.id, agent.facts.hostname, agent.facts.os, agent.facts.kernel, agent.facts.arch,
       agent.facts.agent_version, agent.group, labels_to_text(agent.labels),
       agent.enrolled_at_ms}));
  return write_labels(agent.id, agent.labels);
}

Status SqlAgentRepository::insert_certificate(std::string_view agent_id,
                                              const IssuedCertificate& certificate,
                                              std::int64_t issued_at_ms) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO agent_certificates (serial, agent_id, fingerprint, not_after, issued_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {certificate.serial_hex, std::string(agent_id), certificate.fingerprint_sha256,
       certificate.not_after_ms, issued_at_ms}));
  return ok();
}

Result<std::optional<AgentRecord>> SqlAgentRepository::find(std::string_view id) {
  SENTINEL_ASSIGN(
      rows, connection_.query(fmt::format("SELECT {} FROM agents a WHERE a.id = $1", kColumns),
                              {std::string(id)}));
  if (rows.empty()) return std::optional<AgentRecord>();
  return std::optional<AgentRecord>(record_from_row(rows.front()));
}

Result<AgentPage> SqlAgentRepository::list(const AgentFilter& filter, std::int64_t now_ms,
                                           std::int64_t offline_after_ms) {
  Where where = where_of(filter, now_ms, offline_after_ms);
  SENTINEL_ASSIGN(counted,
                  connection_.query("SELECT COUNT(*) FROM agents a" + where.sql, where.params));
  AgentPage page;
  page.total = counted.empty() ? 0 : counted.front().integer(0);
  const std::string limit = where.next();
  where.params.emplace_back(filter.limit);
  const std::string offset = where.next();
  where.params.emplace_back(filter.offset);
  SENTINEL_ASSIGN(rows, connection_.query(fmt::format("SELECT {} FROM agents a{} ORDER BY "
                                                      "lower(a.hostname), a.id LIMIT {} OFFSET {}",
                                                      kColumns, where.sql, limit, offset),
                                          where.params));
  page.items.reserve(rows.size());
  for (const store::Row& row : rows) page.items.push_back(record_from_row(row));
  return page;
}

Result<bool> SqlAgentRepository::set_placement(std::string_view id, std::string_view group,
                                               const AgentLabels& labels) {
  SENTINEL_ASSIGN(
      changed, connection_.execute("UPDATE agents SET group_name = $2, labels = $3 WHERE id = $1",
                                   {std::string(id), std::string(group), labels_to_text(labels)}));
  if (changed == 0) return false;
  SENTINEL_TRY(write_labels(id, labels));
  return true;
}

Result<bool> SqlAgentRepository::revoke(std::string_view id, std::int64_t now_ms) {
  SENTINEL_ASSIGN(changed, connection_.execute("UPDATE agents SET revoked_at = $2, connected = 0 "
                                               "WHERE id = $1 AND revoked_at IS NULL",
                                               {std::string(id), now_ms}));
  if (changed == 0) return false;
  SENTINEL_TRY(connection_.execute(
      "UPDATE agent_certificates SET revoked_at = $2 WHERE agent_id = $1 AND revoked_at IS NULL",
      {std::string(id), now_ms}));
  return true;
}

Result<bool> SqlAgentRepository::remove(std::string_view id) {
  // Explicit, so that nothing depends on foreign-key enforcement being switched on.
  SENTINEL_TRY(
      connection_.execute("DELETE FROM agent_labels WHERE agent_id = $1", {std::string(id)}));
  SENTINEL_TRY(
      connection_.execute("DELETE FROM agent_certificates WHERE agent_id = $1", {std::string(id)}));
  SENTINEL_ASSIGN(changed,
                  connection_.execute("DELETE FROM agents WHERE id = $1", {std::string(id)}));
  return changed > 0;
}

Result<bool> SqlAgentRepository::mark_connected(std::string_view id, const AgentFacts& facts,
                                                std::string_view remote_address,
                                                std::int64_t now_ms) {
  SENTINEL_ASSIGN(changed,
                  connection_.execute(
                      "UPDATE agents SET hostname = $2, os = $3, kernel = $4, arch = $5, "
                      "agent_version = $6, last_address = $7, connected = 1, last_seen = $8, "
                      "first_seen = COALESCE(first_seen, $8) WHERE id = $1 AND revoked_at IS NULL",
                      {std::string(id), facts.hostname, facts.os, facts.kernel, facts.arch,
                       facts.agent_version, std::string(remote_address), now_ms}));
  return changed > 0;
}

Result<bool> SqlAgentRepository::mark_disconnected(std::string_view id, std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      changed, connection_.execute("UPDATE agents SET connected = 0, last_seen = $2 WHERE id = $1",
                                   {std::string(id), now_ms}));
  return changed > 0;
}

Status SqlAgentRepository::advance_last_seen(std::string_view id, std::int64_t seen_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE agents SET last_seen = $2 WHERE id = $1 AND (last_seen IS NULL OR last_seen < $2)",
      {std::string(id), seen_ms}));
  return ok();
}

Result<std::vector<LiveCertificate>> SqlAgentRepository::live_certificates(std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT c.agent_id, c.serial, c.not_after FROM agent_certificates c "
                              "JOIN agents a ON a.id = c.agent_id WHERE a.revoked_at IS NULL AND "
                              "c.revoked_at IS NULL AND c.not_after > $1",
                              {now_ms}));
  std::vector<LiveCertificate> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) out.push_back({row.text(0), row.text(1), row.integer(2)});
  return out;
}

Result<std::int64_t> SqlAgentRepository::count_live_certificates(std::string_view agent_id,
                                                                 std::int64_t now_ms) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT COUNT(*) FROM agent_certificates WHERE "
                                          "agent_id = $1 AND revoked_at IS NULL AND not_after > $2",
                                          {std::string(agent_id), now_ms}));
  return rows.empty() ? 0 : rows.front().integer(0);
}

Status SqlAgentRepository::write_labels(std::string_view id, const AgentLabels& labels) {
  SENTINEL_TRY(
      connection_.execute("DELETE FROM agent_labels WHERE agent_id = $1", {std::string(id)}));
  for (const auto& [key, value] : labels) {
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO agent_labels (agent_id, label_key, label_value) VALUES ($1, $2, $3)",
        {std::string(id), key, value}));
  }
  return ok();
}

}  // namespace sentinel::agents
