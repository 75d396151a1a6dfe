#pragma once
// Commit-confirm for the agent's table (ADR 0006): an apply is pending until the server
// confirms it; past its deadline the last confirmed ruleset comes back by itself, also after a
// crash. Also drift repair: a table changed or removed from outside is put back.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/firewall/firewall_table.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// One policy version as the server sends it: its number, the SHA-256 of the document and the
/// compiled nft text for `table inet sentinel`.
struct PolicyRelease {
  std::int64_t version = 0;
  std::string document_hash;
  std::string nft_text;
};

/// What the agent reports after an apply: the version and document hash it applied, and the
/// listing it verified (hash and static set sizes), and how many blocks it carried over.
struct ApplyReport {
  std::int64_t version = 0;
  std::string document_hash;
  TableListing listing;
  std::size_t blocks_kept = 0;
};

/// A pending apply abandoned for want of a confirm: `firewall.rolled_back`.
struct RollBack {
  std::int64_t abandoned_version = 0;
  std::optional<std::int64_t> restored_version;  // nullopt: nothing was confirmed, table deleted
};

/// What drift found before it repaired it.
enum class DriftKind { kMissingTable, kChangedRules, kChangedSetElements };

/// "missing_table", "changed_rules", "changed_set_elements".
std::string_view to_string(DriftKind kind);

/// A table changed from outside and put back: `firewall.drift`.
struct Drift {
  DriftKind kind = DriftKind::kChangedRules;
  std::int64_t restored_version = 0;
  TableListing found;  // empty hash when the table was missing
  TableListing expected;
};

/// The commit-confirm state machine over a FirewallTable, persisted in `state_dir`
/// (confirmed.json, pending.json; each replaced atomically, mode 0600). Borrows the table and
/// the clock, which must outlive it. Not thread-safe: one owner (the firewall worker).
class FirewallState {
 public:
  /// Loads the state files (a missing one is no state; a damaged one is an error naming it);
  /// creates `state_dir` (0700) when missing. Does not touch the table: call recover().
  static Result<std::unique_ptr<FirewallState>> create(FirewallTable& table, const Clock& clock,
                                                       std::string state_dir);

  /// Writes pending.json (deadline = now + grace), applies `release` with the current blocks
  /// re-added with their remaining time (one buffer), verifies the listing and returns it. On a
  /// failed apply the table and the confirmed state are as before and pending.json is gone.
  Result<ApplyReport> begin_apply(const PolicyRelease& release, std::chrono::milliseconds grace);

  /// The server's confirm of `version`: pending becomes confirmed. kConflict when `version` is
  /// not the pending one (a confirm of the already confirmed version is a no-op).
  Status confirm(std::int64_t version);

  /// Past the pending deadline without a confirm: re-applies the confirmed ruleset (with the
  /// blocks), or deletes the table when nothing was ever confirmed. nullopt when nothing was due.
  Result<std::optional<RollBack>> tick();

  /// At start-up: a pending apply past its deadline rolls back as in tick(); one still within
  /// its grace is applied again (the crash may have come before its apply). nullopt otherwise.
  Result<std::optional<RollBack>> recover();

  /// Compares the table with what was applied (the pending release while one is in its grace,
  /// else the confirmed one); on a difference or a missing table re-applies that release and
  /// says what it found. nullopt when the table is as applied, or nothing was ever applied.
  Result<std::optional<Drift>> check_drift();

  /// The confirmed version, if any.
  std::optional<std::int64_t> confirmed_version() const;
  /// The pending version, if any.
  std::optional<std::int64_t> pending_version() const;

  /// One release on disk: what was applied and the listing verified after the apply (empty
  /// until then), and for a pending one its deadline.
  struct Record {
    PolicyRelease release;
    TableListing listing;
    std::int64_t deadline_ms = 0;
  };

 private:
  FirewallState(FirewallTable& table, const Clock& clock, std::string state_dir)
      : table_(table), clock_(clock), state_dir_(std::move(state_dir)) {}

  // Applies `text` with the current blocks carried over, verifies and returns the listing.
  Result<TableListing> replace_table(const std::string& text, std::size_t* blocks_kept);
  Result<std::optional<RollBack>> roll_back();
  Status save(const std::string& name, const Record& record, bool pending) const;
  Status remove(const std::string& name) const;

  FirewallTable& table_;
  const Clock& clock_;
  std::string state_dir_;
  std::optional<Record> confirmed_;
  std::optional<Record> pending_;
};

}  // namespace sentinel::agent::firewall
