#pragma once
// The agent's side of a distributed scan (ADR 0005, "Scanner service"): the commands
// scan_shard_start, scan_shard_poll and scan_shard_cancel. A shard's targets are checked again
// against the scope the server sent, then the shard runs on its engine (the agent's: a fresh
// confined worker child per shard that keeps only CAP_NET_RAW, scan_worker.h): the port scan
// (raw SYN where it may open raw sockets, else connect(), then UDP for the shard's UDP ports)
// and, when asked, service detection. A thread of the runner takes what the shard reports;
// results wait until the server polls for them. One shard at a time: a second start is
// answered "busy".

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "agent/scan/shard_engine.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_shard_protocol.h"

namespace sentinel::agent {

/// How the runner works.
struct ShardRunnerOptions {
  /// A shard nobody polled for this long is given up when another start arrives: the server has
  /// long since leased it to another agent (its lease is 15 s).
  std::chrono::milliseconds abandon_after{60'000};
  /// Bytes of hosts in one poll answer at most (a channel frame holds 4 MiB); the rest waits
  /// for the next poll.
  std::size_t max_answer_bytes = 1 << 20;
};

/// Thread-safe: the channel calls handle() from its receiving thread; each call returns at once.
class ShardRunner {
 public:
  /// `engine` and `clock` must outlive the runner.
  ShardRunner(ShardRunnerOptions options, ShardEngine& engine, const Clock& clock);
  /// Cancels the shard in hand and waits for its thread.
  ~ShardRunner();
  ShardRunner(const ShardRunner&) = delete;
  ShardRunner& operator=(const ShardRunner&) = delete;

  /// Answers one command: start -> {"accepted": true, "method": "syn"|"connect"|"udp"|
  /// "syn+udp"|"connect+udp"}; poll -> a ShardReport (its final state once every result was
  /// handed over; then the shard is forgotten); cancel -> {"cancelled": bool}. Errors: the
  /// arguments' (naming the field), a target outside the scope sent, "busy: ..." while another
  /// shard is in hand, "no such shard" for a poll of a shard this agent does not hold.
  Result<boost::json::object> handle(const std::string& name, const boost::json::object& args);

 private:
  struct Shard;

  Result<boost::json::object> start(const boost::json::object& args);
  Result<boost::json::object> poll(const boost::json::object& args);
  Result<boost::json::object> cancel(const boost::json::object& args);
  static void run(const std::shared_ptr<Shard>& shard);

  ShardRunnerOptions options_;
  ShardEngine& engine_;
  const Clock& clock_;
  std::mutex mutex_;                // guards current_
  std::shared_ptr<Shard> current_;  // the shard in hand, until its final poll or abandonment
};

}  // namespace sentinel::agent
