#pragma once
// The hash-chained audit log of security-relevant actions.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/store/database.h"

namespace sentinel::auth {

/// What happened, as the caller reports it.
struct AuditRecord {
  std::string actor;                // username, "system" or "anonymous"
  std::string action;               // dotted: "auth.login", "user.create", "token.revoke", ...
  std::string target;               // what it was done to: "user:42", "session:...", ""
  std::string source_address;       // client IP, "" for system actions
  std::string outcome;              // "success" | "failure" | "denied"
  std::string details_json = "{}";  // extra context; never secrets
};

/// A stored entry. `hash` = SHA-256 over the previous entry's hash and this entry's fields.
struct AuditEntry {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  AuditRecord record;
  std::string prev_hash;
  std::string hash;
};

/// Filters for listing, newest first.
struct AuditQuery {
  std::int64_t limit = 100;
  std::optional<std::int64_t> before_seq;
  std::string action_prefix;
  std::string actor;
};

/// The outcome of walking the chain.
struct AuditVerification {
  bool intact = true;
  std::int64_t checked = 0;
  std::optional<std::int64_t> first_broken_seq;
  std::string problem;  // "hash mismatch", "missing entry", ... ; empty when intact
};

/// Appends entries (serialised across processes by the database), lists and verifies them, and
/// publishes each new entry on the bus topic "audit" as {"type":"audit","entry":{...}}.
/// Thread-safe.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual Result<AuditEntry> record(const AuditRecord& record) = 0;
  virtual Result<std::vector<AuditEntry>> list(const AuditQuery& query) = 0;
  virtual Result<AuditVerification> verify() = 0;
};

std::unique_ptr<AuditLog> make_audit_log(store::Database& db, bus::Bus& bus, const Clock& clock);

}  // namespace sentinel::auth
