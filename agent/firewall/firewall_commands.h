#pragma once
// The channel's firewall commands (ADR 0006) over the commit-confirm state and the table, and
// the periodic work that turns rollbacks and repaired drift into events. What the enforcer
// worker runs for each request it reads; tested over a fake table.

#include <array>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/firewall/firewall_state.h"
#include "agent/firewall/firewall_table.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/address.h"

namespace sentinel::agent::firewall {

/// The command names the server may send (and only these reach the enforcer).
inline constexpr std::array<std::string_view, 5> kFirewallCommands = {
    "firewall_apply", "firewall_confirm", "firewall_block", "firewall_unblock", "firewall_status"};

/// True for one of kFirewallCommands.
bool is_firewall_command(std::string_view name);

/// The worker request (never a channel command) that tells the enforcer the server's addresses:
/// {"addresses": [...]}, the channel's peer and what the server's name resolved to.
inline constexpr std::string_view kServerAddressesRequest = "server_addresses";

/// What periodic work produced: events to spool and problems to log (a failed rollback or
/// repair is tried again at the next tick).
struct Maintenance {
  std::vector<boost::json::object> events;
  std::vector<std::string> problems;
};

/// Runs commands on `state` and `table`, which it borrows (they must outlive it). Not
/// thread-safe: one owner, the enforcer worker.
class FirewallCommands {
 public:
  FirewallCommands(FirewallState& state, FirewallTable& table) : state_(state), table_(table) {}

  /// One of kFirewallCommands with its JSON arguments; the JSON result of the ADR, or an error
  /// (invalid_argument naming the field, kConflict for a stale confirm, kUnavailable with
  /// nft's message when the kernel refused the change).
  Result<boost::json::object> run(std::string_view name, const boost::json::object& args);

  /// kServerAddressesRequest: from now on no block covers these addresses (firewall_block and
  /// the blocks of firewall_apply leave them out and say so under "left_out"), and blocks of
  /// them already in the sets (older than this knowledge) are removed. Answers {"addresses"
  /// (canonical), "unblocked"}; invalid_argument naming "addresses" for anything else.
  Result<boost::json::object> set_server_addresses(const boost::json::object& args);

  /// At start-up: FirewallState::recover() (a rollback past the deadline becomes an event).
  Maintenance recover();

  /// Every tick: FirewallState::tick() and, when `check_drift`, FirewallState::check_drift().
  Maintenance maintain(bool check_drift);

 private:
  Result<boost::json::object> apply(const boost::json::object& args);
  Result<boost::json::object> confirm(const boost::json::object& args);
  Result<boost::json::object> block(const boost::json::object& args);
  Result<boost::json::object> unblock(const boost::json::object& args);
  Result<boost::json::object> status(const boost::json::object& args);

  FirewallState& state_;
  FirewallTable& table_;
  std::vector<sentinel::firewall::IpAddress> servers_;  // never blocked
};

}  // namespace sentinel::agent::firewall
