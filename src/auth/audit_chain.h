#pragma once
// The audit chain's pure parts: the canonical form that is hashed, the walk that checks a chain,
// and the JSON shape of an entry (bus messages and the API share it).
//
// Limits: the chain detects edits and deletions by anyone who cannot also rewrite every later
// entry and the head. An attacker with write access to the whole database can rebuild a
// consistent chain; anchoring the head outside the database (signed checkpoints, an external
// append-only store) is future work.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/auth/audit_log.h"

namespace sentinel::auth::audit {

/// The prev_hash of the first entry.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Unambiguous serialisation of every hashed field: a version tag, then each field as
/// "<byte length>:<bytes>," (so no choice of field contents can collide with another).
std::string canonical_form(const AuditEntry& entry);

/// SHA-256 hex of canonical_form(entry); the stored `hash` of an intact entry.
std::string entry_hash(const AuditEntry& entry);

/// The chain's tip as stored beside the entries.
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash{kGenesisHash};
};

/// Checks entries fed in ascending seq order against the head read before the walk; stops at the
/// first problem. Entries after the head's seq (recorded during the walk) are not checked.
class ChainVerifier {
 public:
  explicit ChainVerifier(ChainHead head) : head_(std::move(head)) {}
  /// Checks the next entry; false once a problem was found (stop feeding).
  bool add(const AuditEntry& entry);
  /// The verdict after the last entry: also compares the walk's end with the head.
  AuditVerification finish();

 private:
  bool fail(std::int64_t seq, std::string problem);

  ChainHead head_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_{kGenesisHash};
  AuditVerification result_;
};

/// {"seq","time","time_ms","actor","action","target","source_address","outcome","details"}: time is
/// ISO 8601 UTC with milliseconds; details the parsed object (its raw text if it is not one).
boost::json::object to_json(const AuditEntry& entry);

}  // namespace sentinel::auth::audit
