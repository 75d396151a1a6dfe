// The allow-list: built-in entries found at each check, admin entries in the database.

#include "sentinel/firewall/allow_list.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "allow_list_host.h"
#include "logger.h"
#include "sentinel/common/text.h"

namespace sentinel::firewall {
namespace {

constexpr std::string_view kColumns = "id, cidr, comment, created_by, created_at";

AllowListEntry entry_of(const store::Row& row) {
  AllowListEntry entry;
  entry.id = row.integer(0);
  entry.cidr = row.text(1);
  entry.comment = row.text(2);
  entry.created_by = row.text(3);
  entry.created_ms = row.integer(4);
  return entry;
}

bool entry_contains(const AllowListEntry& entry, const IpAddress& address) {
  Result<IpNetwork> network = parse_ip_network(entry.cidr);
  return network && network_contains(*network, address);
}

Status check_comment(std::string_view comment) {
  if (comment.size() > kMaxAllowListComment) {
    return invalid_argument(
        fmt::format("field 'comment' is longer than {} bytes", kMaxAllowListComment), "comment");
  }
  if (has_control_character(comment)) {
    return invalid_argument("field 'comment' must not hold control characters", "comment");
  }
  return ok();
}

class AllowListImpl final : public AllowList {
 public:
  AllowListImpl(store::Database& database, auth::AuditLog& audit, const Clock& clock,
                AllowListOptions options)
      : database_(database), audit_(audit), clock_(clock), options_(std::move(options)) {}

  Result<std::optional<AllowListEntry>> protecting(const IpAddress& address) override {
    for (AllowListEntry& entry : builtin_allow_list(options_)) {
      if (entry_contains(entry, address)) return std::optional(std::move(entry));
    }
    SENTINEL_ASSIGN(entries, stored());
    for (AllowListEntry& entry : entries) {
      if (entry_contains(entry, address)) return std::optional(std::move(entry));
    }
    return std::optional<AllowListEntry>();
  }

  Result<std::vector<AllowListEntry>> list() override {
    std::vector<AllowListEntry> out = builtin_allow_list(options_);
    SENTINEL_ASSIGN(entries, stored());
    out.insert(out.end(), std::make_move_iterator(entries.begin()),
               std::make_move_iterator(entries.end()));
    return out;
  }

  Result<AllowListEntry> add(const auth::Principal& caller, std::string_view cidr,
                             std::string comment, const auth::ClientInfo& client) override {
    Result<IpNetwork> network = parse_ip_network(cidr);
    if (!network) {
      return invalid_argument(fmt::format("field 'cidr': {}", network.error().message), "cidr");
    }
    SENTINEL_TRY(check_comment(comment));
    AllowListEntry entry;
    entry.cidr = format_ip_network(*network);
    entry.comment = std::move(comment);
    entry.created_by = caller.username;
    entry.created_ms = clock_.now_ms();
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(count, connection.query("SELECT COUNT(*) FROM firewall_allow_list"));
      if (count.at(0).integer(0) >= static_cast<std::int64_t>(kMaxAllowListEntries)) {
        return conflict(fmt::format("the allow-list already holds {} entries, the most it may",
                                    kMaxAllowListEntries));
      }
      Result<store::Rows> rows = connection.query(
          "INSERT INTO firewall_allow_list (cidr, comment, created_by, created_at) "
          "VALUES ($1, $2, $3, $4) RETURNING id",
          {entry.cidr, entry.comment, entry.created_by, entry.created_ms});
      if (!rows && rows.error().code == ErrorCode::kConflict) {
        return conflict(fmt::format("{} is already on the allow-list", entry.cidr), "cidr");
      }
      if (!rows) return std::move(rows).error();
      entry.id = rows->at(0).integer(0);
      return ok();
    }));
    audit(caller, client, "firewall.allow_list.add", entry);
    firewall_log().info("allow-list entry added id={} cidr={} by={}", *entry.id, entry.cidr,
                        caller.username);
    if (options_.changed) options_.changed();
    return entry;
  }

  Status remove(const auth::Principal& caller, std::int64_t id,
                const auth::ClientInfo& client) override {
    std::optional<AllowListEntry> removed;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(rows, connection.query(fmt::format("SELECT {} FROM firewall_allow_list "
                                                         "WHERE id = $1",
                                                         kColumns),
                                             {id}));
      if (rows.empty()) return not_found(fmt::format("No allow-list entry {}.", id));
      removed = entry_of(rows.front());
      SENTINEL_TRY(connection.execute("DELETE FROM firewall_allow_list WHERE id = $1", {id}));
      return ok();
    }));
    audit(caller, client, "firewall.allow_list.remove", *removed);
    firewall_log().info("allow-list entry removed id={} cidr={} by={}", id, removed->cidr,
                        caller.username);
    if (options_.changed) options_.changed();
    return ok();
  }

 private:
  Result<std::vector<AllowListEntry>> stored() {
    SENTINEL_ASSIGN(rows, database_.query(fmt::format(
                              "SELECT {} FROM firewall_allow_list ORDER BY id", kColumns)));
    std::vector<AllowListEntry> out;
    out.reserve(rows.size());
    for (const store::Row& row : rows) out.push_back(entry_of(row));
    return out;
  }

  void audit(const auth::Principal& caller, const auth::ClientInfo& client, std::string action,
             const AllowListEntry& entry) {
    auth::AuditRecord record{.actor = caller.username,
                             .action = std::move(action),
                             .target = "allow_list:" + std::to_string(entry.id.value_or(0)),
                             .source_address = client.source_address,
                             .outcome = "success",
                             .details_json = boost::json::serialize(boost::json::object{
                                 {"cidr", entry.cidr}, {"comment", entry.comment}})};
    if (auto recorded = audit_.record(record); !recorded) {
      firewall_log().error("audit of {} failed: {}", record.action, recorded.error().message);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  const Clock& clock_;
  AllowListOptions options_;
};

}  // namespace

std::string AllowListEntry::describe() const {
  if (builtin) return fmt::format("built-in allow-list entry {} ({})", comment, cidr);
  if (comment.empty()) return fmt::format("allow-list entry {} ({})", id.value_or(0), cidr);
  return fmt::format("allow-list entry {} ({}, {})", id.value_or(0), cidr, comment);
}

bool network_contains(const IpNetwork& network, const IpAddress& address) {
  return network.address.family == address.family && address.value >= network.first() &&
         address.value <= network.last();
}

std::unique_ptr<AllowList> AllowList::create(store::Database& database, auth::AuditLog& audit,
                                             const Clock& clock, AllowListOptions options) {
  return std::make_unique<AllowListImpl>(database, audit, clock, std::move(options));
}

}  // namespace sentinel::firewall
