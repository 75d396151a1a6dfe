#pragma once
// The allow-list (ADR 0006 "Active response and blocks"): addresses that are never blocked.
// Built in: loopback, link-local (each agent's own link: its router, neighbour discovery), the
// host's own interface addresses and the addresses the server listens on; added by admins:
// networks with a comment. Checked before any block is stored or sent, and feeds leave out what
// it holds.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/address.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// The most admin-defined entries; a longer list is refused (kConflict).
inline constexpr std::size_t kMaxAllowListEntries = 10000;
/// The longest comment, in bytes.
inline constexpr std::size_t kMaxAllowListComment = 200;

/// One allow-list entry. Built-in entries have no id and cannot be removed; their comment says
/// what they are ("loopback", "link-local", "interface eth0", "gateway.listen").
struct AllowListEntry {
  std::optional<std::int64_t> id;
  std::string cidr;  // canonical network text (a host network as the bare address)
  std::string comment;
  bool builtin = false;
  std::string created_by;       // "" for built-in entries
  std::int64_t created_ms = 0;  // 0 for built-in entries

  /// How messages name the entry: "allow-list entry 3 (203.0.113.0/24, office)" or "built-in
  /// allow-list entry loopback (127.0.0.0/8)".
  std::string describe() const;
};

/// An address the server serves on, named by its config key.
struct ServedEndpoint {
  std::string name;      // "gateway.listen", "agents.listen", "agents.public_url", ...
  std::string location;  // "HOST:PORT", "[V6]:PORT" or a URL; names and wildcards are skipped
};

/// What is built in beside loopback.
struct AllowListOptions {
  std::vector<ServedEndpoint> endpoints;
  /// The addresses of the host's interfaces, read at every check (they may change).
  bool host_interfaces = true;
  /// Told, on the caller's thread, after an entry was added or removed; must return at once.
  /// May be empty.
  std::function<void()> changed;
};

/// Thread-safe. Admin entries live in the database (shared by every server process); adding and
/// removing is audited (`firewall.allow_list.add`, `firewall.allow_list.remove`).
class AllowList {
 public:
  virtual ~AllowList() = default;

  /// The collaborators must outlive the allow-list; the database must be migrated.
  static std::unique_ptr<AllowList> create(store::Database& database, auth::AuditLog& audit,
                                           const Clock& clock, AllowListOptions options);

  /// The first entry that contains `address` (built-in entries first), or nullopt.
  virtual Result<std::optional<AllowListEntry>> protecting(const IpAddress& address) = 0;
  /// Every entry: the built-in ones, then the admin-defined ones by id.
  virtual Result<std::vector<AllowListEntry>> list() = 0;
  /// Adds a network ("203.0.113.0/24", "2001:db8::/48" or one address). kInvalidArgument naming
  /// "cidr" or "comment"; kConflict when the same network is already listed.
  virtual Result<AllowListEntry> add(const auth::Principal& caller, std::string_view cidr,
                                     std::string comment, const auth::ClientInfo& client) = 0;
  /// Removes an admin-defined entry; kNotFound for an unknown id.
  virtual Status remove(const auth::Principal& caller, std::int64_t id,
                        const auth::ClientInfo& client) = 0;
};

/// True when `network` contains `address` (same family, same leading prefix bits).
bool network_contains(const IpNetwork& network, const IpAddress& address);

}  // namespace sentinel::firewall
