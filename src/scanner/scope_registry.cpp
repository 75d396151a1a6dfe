#include "scope_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>

#include "../auth/autocommit.h"
#include "caching_resolver.h"
#include "logger.h"
#include "scanner_audit.h"

namespace sentinel::scanner {
namespace {

// Ranges outside every scope named per checked target at most.
constexpr std::size_t kMaxOutsideRanges = 4;

// The limits of one entry of a check of `entries`: a share of one scan's. The entries are
// parsed one by one; with a scan's limits each, any reader of scans could make one request
// expand 1024 times 2^20 ranges and resolve 1024 times 1024 host names.
scan::TargetLimits entry_limits(std::size_t entries) {
  scan::TargetLimits limits;
  const std::size_t shares = std::max<std::size_t>(entries, 1);
  limits.max_ranges = std::max<std::size_t>(limits.max_ranges / shares, 1);
  limits.max_ranges_per_token = std::min(limits.max_ranges_per_token, limits.max_ranges);
  limits.max_host_names = std::max<std::size_t>(limits.max_host_names / shares, 1);
  return limits;
}

struct StoredScope {
  ScopeEntry entry;
  scan::AddressRange range;
};

class SqlScopeRegistry final : public ScopeRegistry {
 public:
  SqlScopeRegistry(store::Database& database, auth::AuditLog& audit, const Clock& clock,
                   scan::HostResolver& resolver, scan::ScanScope configured)
      : database_(database),
        audit_(audit),
        clock_(clock),
        resolver_(resolver),
        configured_(std::move(configured)) {}

  Result<std::vector<ScopeEntry>> list() override {
    SENTINEL_ASSIGN(scopes, all());
    std::vector<ScopeEntry> out;
    for (StoredScope& scope : scopes) out.push_back(std::move(scope.entry));
    return out;
  }

  Result<ScopeEntry> add(const auth::Principal& caller, const NewScope& scope,
                         const auth::ClientInfo& client) override {
    ScopeEntry entry{.cidr = scope.range.to_string(),
                     .comment = scope.comment,
                     .source = std::string(kScopeSourceApi),
                     .created_by = caller.username,
                     .created_ms = clock_.now_ms()};
    SENTINEL_ASSIGN(existing, all());
    for (const StoredScope& other : existing) {
      if (other.entry.cidr == entry.cidr) return duplicate(other.entry);
    }
    auth::Autocommit connection(database_);
    auto rows = connection.query(
        "INSERT INTO scan_scopes (cidr, comment, created_by, created_at) VALUES ($1, $2, $3, $4) "
        "RETURNING id",
        {entry.cidr, entry.comment, entry.created_by, entry.created_ms});
    if (!rows && rows.error().code == ErrorCode::kConflict) {
      // Another request stored it a moment ago.
      return conflict(fmt::format("'{}' is already a scan scope", entry.cidr), "cidr");
    }
    if (!rows) return std::move(rows).error();
    entry.id = rows->at(0).integer(0);
    record_audit(audit_, caller.username, client, "scan_scope.add", target_of(entry.id),
                 boost::json::object{{"cidr", entry.cidr}, {"comment", entry.comment}});
    scanner_log().info("scan scope added id={} cidr={} by={}", entry.id, entry.cidr,
                       caller.username);
    return entry;
  }

  Status remove(const auth::Principal& caller, std::int64_t id,
                const auth::ClientInfo& client) override {
    if (id < 0) {
      const auto index = static_cast<std::size_t>(-(id + 1));
      if (index >= configured_.ranges().size()) return not_found("No such scan scope.");
      return conflict(fmt::format("'{}' is a scope of the server's configuration "
                                  "(scanner.scopes or --scan-scope); only the configuration "
                                  "can remove it",
                                  configured_.ranges()[index].to_string()),
                      "id");
    }
    auth::Autocommit connection(database_);
    SENTINEL_ASSIGN(rows, connection.query("SELECT cidr FROM scan_scopes WHERE id = $1", {id}));
    if (rows.empty()) return not_found("No such scan scope.");
    const std::string cidr = rows.front().text(0);
    SENTINEL_ASSIGN(deleted, connection.execute("DELETE FROM scan_scopes WHERE id = $1", {id}));
    if (deleted == 0) return not_found("No such scan scope.");
    record_audit(audit_, caller.username, client, "scan_scope.remove", target_of(id),
                 boost::json::object{{"cidr", cidr}});
    scanner_log().info("scan scope removed id={} cidr={} by={}", id, cidr, caller.username);
    return ok();
  }

  Result<scan::ScanScope> current() override {
    SENTINEL_ASSIGN(scopes, all());
    std::vector<scan::AddressRange> ranges;
    for (const StoredScope& scope : scopes) ranges.push_back(scope.range);
    return scan::ScanScope::from_ranges(std::move(ranges));
  }

  Result<std::vector<TargetCheck>> check(const std::vector<std::string>& targets) override {
    SENTINEL_ASSIGN(scopes, all());
    std::vector<scan::AddressRange> ranges;
    for (const StoredScope& scope : scopes) ranges.push_back(scope.range);
    const scan::ScanScope guard = scan::ScanScope::from_ranges(ranges);
    const scan::TargetLimits limits = entry_limits(targets.size());
    CachingResolver names(resolver_);
    std::vector<TargetCheck> out;
    for (const std::string& target : targets) {
      TargetCheck checked{.target = target};
      auto set = scan::TargetSet::parse(target, "", names, limits);
      if (!set) {
        checked.error = set.error().message;
        out.push_back(std::move(checked));
        continue;
      }
      checked.addresses = set->size();
      for (const StoredScope& scope : scopes) {
        // Some address of the target lies in this scope when not all of it is outside.
        if (scan::ScanScope::from_ranges({scope.range}).outside(*set) != set->ranges()) {
          checked.scopes.push_back(scope.entry.cidr);
        }
      }
      const std::vector<scan::AddressRange> outside = guard.outside(*set);
      checked.in_scope = outside.empty();
      for (std::size_t i = 0; i < outside.size() && i < kMaxOutsideRanges; ++i) {
        checked.outside.push_back(outside[i].to_string());
      }
      if (outside.size() > kMaxOutsideRanges) {
        checked.outside.push_back(
            fmt::format("{} more ranges", outside.size() - kMaxOutsideRanges));
      }
      out.push_back(std::move(checked));
    }
    return out;
  }

 private:
  static std::string target_of(std::int64_t id) { return "scan_scope:" + std::to_string(id); }

  static Error duplicate(const ScopeEntry& existing) {
    if (existing.source == kScopeSourceConfig) {
      return conflict(
          fmt::format("'{}' is already a scope of the server's configuration", existing.cidr),
          "cidr");
    }
    return conflict(fmt::format("'{}' is already a scan scope (id {})", existing.cidr, existing.id),
                    "cidr");
  }

  // The configuration's scopes (ids -1, -2, ...), then the stored ones by id. A stored row that
  // no longer parses is left out and logged: it widens nothing.
  Result<std::vector<StoredScope>> all() {
    std::vector<StoredScope> out;
    std::int64_t config_id = 0;
    for (const scan::AddressRange& range : configured_.ranges()) {
      out.push_back({ScopeEntry{.id = --config_id,
                                .cidr = range.to_string(),
                                .source = std::string(kScopeSourceConfig)},
                     range});
    }
    SENTINEL_ASSIGN(rows, database_.query("SELECT id, cidr, comment, created_by, created_at "
                                          "FROM scan_scopes ORDER BY id"));
    for (const store::Row& row : rows) {
      ScopeEntry entry{.id = row.integer(0),
                       .cidr = row.text(1),
                       .comment = row.text(2),
                       .source = std::string(kScopeSourceApi),
                       .created_by = row.text(3),
                       .created_ms = row.integer(4)};
      auto parsed = scan::ScanScope::parse(entry.cidr, "cidr");
      if (!parsed || parsed->ranges().size() != 1) {
        scanner_log().error("stored scan scope id={} cidr='{}' does not parse; ignored", entry.id,
                            entry.cidr);
        continue;
      }
      out.push_back({std::move(entry), parsed->ranges().front()});
    }
    return out;
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  const Clock& clock_;
  scan::HostResolver& resolver_;
  const scan::ScanScope configured_;
};

}  // namespace

std::unique_ptr<ScopeRegistry> make_scope_registry(store::Database& database, auth::AuditLog& audit,
                                                   const Clock& clock, scan::HostResolver& resolver,
                                                   scan::ScanScope configured) {
  return std::make_unique<SqlScopeRegistry>(database, audit, clock, resolver,
                                            std::move(configured));
}

}  // namespace sentinel::scanner
