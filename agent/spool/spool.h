#pragma once
// The agent's crash-safe event spool: every event is written here, with its sequence number,
// before it is sent; it is forgotten only when the server acknowledges it. A SQLite file (WAL)
// in the agent's data dir. When it would outgrow its cap it drops the oldest unsent events and
// records them as a gap, which the channel reports to the server: loss is never silent.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/protocol/agent_protocol.h"

namespace spdlog {
class logger;
}

namespace sentinel::agent {

/// Where and how large. The file is created with mode 0600 (an existing one is tightened to it).
struct SpoolOptions {
  std::string path;
  std::int64_t max_bytes = 256LL << 20;  // of pending events (type + data); oldest dropped beyond
  /// false: a committed append survives a crash of the agent (kill -9); true: also power loss
  /// (an fsync per commit).
  bool sync_full = false;
  /// Where the drop warnings go; null: spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
};

/// An event to append.
struct NewEvent {
  std::string type;       // [a-z0-9_.]{1,64}, checked by the caller (protocol::validate_event_type)
  std::string data_json;  // a JSON object, checked by the caller (protocol::parse_event_data)
  std::int64_t time_ms = 0;
};

/// An event as stored, with the sequence number the spool gave it.
struct SpooledEvent {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  std::string type;
  std::string data_json;

  friend bool operator==(const SpooledEvent&, const SpooledEvent&) = default;
};

/// What read_from returns, in sequence order: events, and gaps where dropped events were.
using SpoolItem = std::variant<SpooledEvent, protocol::SpoolGap>;

/// A snapshot of the spool's counters.
struct SpoolStats {
  std::int64_t pending_events = 0;  // appended, not yet acknowledged, not dropped
  std::int64_t pending_bytes = 0;
  std::int64_t next_seq = 1;              // the seq the next append gets
  std::int64_t acked_seq = 0;             // everything <= this is forgotten
  std::int64_t dropped_events_total = 0;  // over the spool's whole life
  std::int64_t dropped_bytes_total = 0;
};

/// The spool. Thread-safe: a collector thread appends while the channel thread reads and
/// acknowledges. One process at a time: a second open of the same file fails (kUnavailable).
class Spool {
 public:
  /// Opens or creates the spool file.
  static Result<std::unique_ptr<Spool>> open(SpoolOptions options);

  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Durable when it returns (committed; survives kill -9 of the agent; with sync_full also
  /// power loss). Returns the seq given (strictly increasing from 1, never reused, even after
  /// restarts and drops). An event larger than max_bytes by itself is kPayloadTooLarge.
  Result<std::int64_t> append(std::string_view type, std::string_view data_json,
                              std::int64_t time_ms);
  /// Several events in one transaction (inventory snapshots), seqs consecutive.
  Result<std::vector<std::int64_t>> append_batch(const std::vector<NewEvent>& events);
  /// Items from `from_seq` in order: events, and a gap item where dropped seqs lie (clipped to
  /// start at from_seq; its byte count is that of the whole gap); at most max_events events and
  /// max_bytes of event bytes, but always the first event when there is one.
  Result<std::vector<SpoolItem>> read_from(std::int64_t from_seq, std::size_t max_events,
                                           std::size_t max_bytes);
  /// The server has committed everything <= seq: forget it (also gaps below). Acknowledging
  /// less than before does nothing; more than was ever appended is kInvalidArgument.
  Status acknowledge(std::int64_t seq);
  /// Called with Welcome::next_seq. When the server already holds sequence numbers this spool
  /// has not reached (its file was lost or replaced), the pending events and gaps are
  /// renumbered to start at `server_next_seq` and numbering continues from there, so that the
  /// server never takes a new event for a resent one. Otherwise the same as
  /// acknowledge(server_next_seq - 1).
  Status resume_at(std::int64_t server_next_seq);
  SpoolStats stats() const;

 private:
  struct State;
  explicit Spool(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace sentinel::agent
