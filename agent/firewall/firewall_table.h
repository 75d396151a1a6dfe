#pragma once
// The one nftables table the agent owns, as an interface: the commit-confirm logic is tested
// against a fake, the real thing is NftTable (libnftables).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// What the agent reports about its table after an apply and compares for drift: the SHA-256
/// of the terse listing (rules, chains and set declarations, no set elements, no counter
/// values) and the element count of each static set (the block sets are left out: their
/// elements come and go by design).
struct TableListing {
  std::string hash;
  std::map<std::string, std::size_t> set_elements;

  friend bool operator==(const TableListing&, const TableListing&) = default;
};

/// One element of `block_v4` / `block_v6`: the address, the timeout it was added with and the
/// time left (both whole seconds; 0 = an element without timeout, which never expires).
struct ActiveBlock {
  std::string address;
  std::int64_t timeout_s = 0;
  std::int64_t expires_s = 0;

  friend bool operator==(const ActiveBlock&, const ActiveBlock&) = default;
};

/// `table inet sentinel` and nothing else. Not thread-safe: one owner (the firewall worker).
class FirewallTable {
 public:
  virtual ~FirewallTable() = default;

  /// Runs `text` as one transaction (all or nothing). Refused with invalid_argument before it
  /// runs when a command names another table; on failure the previous table is untouched and
  /// the error carries the nftables message.
  virtual Status apply(const std::string& text) = 0;

  /// Whether the table exists.
  virtual Result<bool> exists() = 0;

  /// The listing of the table; kNotFound when it does not exist.
  virtual Result<TableListing> listing() = 0;

  /// Adds (or refreshes) `address` in block_v4 or block_v6 with a kernel timeout of `ttl`.
  virtual Status add_block(const std::string& address, std::chrono::seconds ttl) = 0;

  /// Deletes `address` from its block set; kNotFound when it is not there.
  virtual Status remove_block(const std::string& address) = 0;

  /// The current elements of both block sets; empty when the table does not exist.
  virtual Result<std::vector<ActiveBlock>> blocks() = 0;
};

}  // namespace sentinel::agent::firewall
