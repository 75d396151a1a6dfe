#pragma once
// The process collectors as watcher sources: process starts from the netlink process connector
// (process.start) and new TCP connections (network.connection), each with a collector.stats
// event every minute when its counters moved.

#include <memory>

#include "agent/collectors/process/connection_tracker.h"
#include "agent/collectors/process/process_start_collector.h"
#include "agent/watch/event_source.h"

namespace sentinel::agent::watch {

/// Process starts; woken by the connector's socket.
class ProcessStartSource final : public EventSource {
 public:
  explicit ProcessStartSource(process::ProcessStartCollector collector)
      : collector_(std::move(collector)) {}

  std::string name() const override { return "process"; }
  int fd() const override { return collector_.fd(); }
  void poll(std::vector<CollectedEvent>& out) override;

 private:
  process::ProcessStartCollector collector_;
  std::int64_t next_stats_ms_ = 0;
  std::uint64_t reported_ = 0;
};

/// New connections, from a table read at most once a second.
class ConnectionSource final : public EventSource {
 public:
  explicit ConnectionSource(process::ConnectionTracker tracker) : tracker_(std::move(tracker)) {}

  std::string name() const override { return "connections"; }
  void poll(std::vector<CollectedEvent>& out) override;

 private:
  process::ConnectionTracker tracker_;
  std::int64_t next_poll_ms_ = 0;
  std::int64_t next_stats_ms_ = 0;
  std::uint64_t reported_ = 0;
};

}  // namespace sentinel::agent::watch
