#pragma once
// network.connection events (ADR 0004) by polling the kernel's TCP table and reporting the
// connections that were not there at the previous poll, with the process that holds each socket
// (its inode found among /proc/<pid>/fd). Polling misses a connection that opens and closes
// between two polls; the first poll only records what already exists.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/process/tcp_table.h"
#include "agent/collectors/process/user_names.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::process {

/// Where the TCP table is read from. kAuto: sock_diag, or the /proc text when the kernel lacks
/// inet_diag.
enum class TcpTableSource { kAuto, kSockDiag, kProcNet };

/// Where to read and how much to keep. A plain value.
struct ConnectionTrackerOptions {
  std::filesystem::path proc = "/proc";
  std::filesystem::path passwd = "/etc/passwd";
  TcpTableSource source = TcpTableSource::kAuto;
  /// Connections remembered between polls; beyond it the rest of a poll's table is ignored.
  std::size_t max_connections = 65536;
  /// Events one poll may produce; the rest are counted, not reported.
  std::size_t max_events_per_poll = 1024;
  /// Processes that recently owned a new connection, whose fds are read before all others'.
  std::size_t recent_owners = 32;
};

/// What the tracker could not take whole. Monotonic counters since create().
struct ConnectionTrackerStats {
  std::uint64_t polls = 0;
  std::uint64_t connections = 0;           // network.connection events produced
  std::uint64_t owners_unknown = 0;        // reported without a process (gone, or fds unreadable)
  std::uint64_t events_dropped = 0;        // new connections over max_events_per_poll
  std::uint64_t connections_over_cap = 0;  // table rows over max_connections, summed over polls
};

/// The connection differ. Not thread-safe and makes no threads: one thread calls poll() every
/// second or so. Holds one netlink socket when reading through sock_diag.
class ConnectionTracker {
 public:
  /// kUnavailable when `source` is kSockDiag and the kernel has no inet_diag.
  static Result<ConnectionTracker> create(ConnectionTrackerOptions options = {});

  /// Reads the table and appends one network.connection event per connection that is new since
  /// the previous poll (none on the first). An inbound connection not yet accepted by its server
  /// (no inode, so no owner yet) is reported one poll later. kInternal/kUnavailable when the
  /// table cannot be read; the previous state is kept.
  Status poll(std::vector<CollectedEvent>& events);

  /// Counters since create().
  const ConnectionTrackerStats& stats() const { return stats_; }

  /// The table in use (kSockDiag or kProcNet; never kAuto).
  TcpTableSource source() const {
    return diag_ ? TcpTableSource::kSockDiag : TcpTableSource::kProcNet;
  }

 private:
  // A connection: its two ends. One 4-tuple is one connection for as long as it is listed.
  struct Key {
    IpAddress local_address{};
    std::uint16_t local_port = 0;
    IpAddress remote_address{};
    std::uint16_t remote_port = 0;
    auto operator<=>(const Key&) const = default;
  };

  ConnectionTracker(ConnectionTrackerOptions options, std::optional<SockDiag> diag);
  Result<std::vector<TcpSocket>> read_table();
  // Appends the events of `fresh`, with owners looked up by inode.
  void report(const std::vector<TcpSocket>& fresh, const std::vector<bool>& inbound,
              std::vector<CollectedEvent>& events);
  void note_owner(std::int64_t pid);

  ConnectionTrackerOptions options_;
  std::optional<SockDiag> diag_;
  UserNames user_names_;
  ConnectionTrackerStats stats_;
  bool baseline_taken_ = false;
  std::vector<Key> known_;                   // sorted: connections of the previous poll
  std::vector<Key> deferred_;                // sorted: inbound ones seen once without an inode
  std::vector<std::int64_t> recent_owners_;  // most recent first
};

}  // namespace sentinel::agent::process
