#pragma once
// The scan scopes (ADR 0005, "Targets and scope"): the networks of the configuration
// (scanner.scopes, --scan-scope) and those admins store through the API. The scope guard of a
// scan uses both.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/scan_scope.h"

namespace sentinel::scanner {

/// Where a scope comes from.
inline constexpr std::string_view kScopeSourceConfig = "config";
inline constexpr std::string_view kScopeSourceApi = "api";

/// One scope as listed. A plain value.
struct ScopeEntry {
  /// The row's id; a scope of the configuration has none and is listed with -1, -2, ... in
  /// configuration order, so that a request to delete it can be answered.
  std::int64_t id = 0;
  std::string cidr;  // canonical: "10.0.0.0/8", "10.0.0.7", "2001:db8::/32"
  std::string comment;
  std::string source;      // kScopeSourceConfig or kScopeSourceApi
  std::string created_by;  // empty for the configuration's
  std::int64_t created_ms = 0;
};

/// A scope to store, as POST /api/v1/scan-scopes takes it (parse_scope_request).
struct NewScope {
  scan::AddressRange range;
  std::string comment;
};

/// What the scopes say of one target entry (POST /api/v1/scan-scopes/check).
struct TargetCheck {
  std::string target;
  /// Empty when the entry parses (and its host names resolve); the reason otherwise.
  std::string error;
  std::uint64_t addresses = 0;
  /// Every address lies inside some scope.
  bool in_scope = false;
  /// The scopes (canonical CIDRs) that hold some of its addresses.
  std::vector<std::string> scopes;
  /// Its ranges outside every scope (at most a few, then "N more ranges").
  std::vector<std::string> outside;
};

/// The scopes of the configuration and of the database. Thread-safe; the stored ones are read
/// on each call, so that servers sharing a database agree.
class ScopeRegistry {
 public:
  virtual ~ScopeRegistry() = default;

  /// Configuration scopes first, then stored ones by id.
  virtual Result<std::vector<ScopeEntry>> list() = 0;
  /// Stores a scope; audited as `scan_scope.add`. kConflict (field "cidr") when it is already
  /// a scope, of either source.
  virtual Result<ScopeEntry> add(const auth::Principal& caller, const NewScope& scope,
                                 const auth::ClientInfo& client) = 0;
  /// Deletes a stored scope; audited as `scan_scope.remove`. kNotFound; kConflict naming why for
  /// a scope of the configuration, which only the configuration can change.
  virtual Status remove(const auth::Principal& caller, std::int64_t id,
                        const auth::ClientInfo& client) = 0;
  /// Every scope as one scope guard: the configuration's and the stored ones.
  virtual Result<scan::ScanScope> current() = 0;
  /// Parses each entry with the scanner's target grammar (host names resolved) and says what
  /// the scopes make of it. Never an error for a bad entry: its `error` says why.
  virtual Result<std::vector<TargetCheck>> check(const std::vector<std::string>& targets) = 0;
};

}  // namespace sentinel::scanner
