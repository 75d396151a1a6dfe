#pragma once
// The agent's side of a distributed scan (ADR 0005, "Scanner service"): the commands
// scan_shard_start, scan_shard_poll and scan_shard_cancel. A shard's targets are checked again
// against the scope the server sent, then the engine (raw SYN where the agent may open raw
// sockets, else connect(), then UDP for the shard's UDP ports) and, when asked, service
// detection run on a thread of the runner's own; results wait until the server polls for them.
// One shard at a time: a second start is answered "busy".
//
// The ADR wants the scan in a confined worker child that keeps only CAP_NET_RAW; for now it is a
// thread of the agent process (under the agent's own resource caps).

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/service_detector.h"
#include "sentinel/scan/service_probes.h"
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
  /// Waits and limits of service detection.
  scan::ServiceDetectionOptions detection;
  /// The probes of service detection; null: nmap's file when installed, else the built-in set,
  /// read when the first shard asks for detection.
  std::shared_ptr<const scan::ServiceProbes> probes;
};

/// Thread-safe: the channel calls handle() from its receiving thread; each call returns at once.
class ShardRunner {
 public:
  /// `clock` must outlive the runner.
  ShardRunner(ShardRunnerOptions options, const Clock& clock);
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
  std::shared_ptr<const scan::ServiceProbes> probes();
  static void run(const std::shared_ptr<Shard>& shard);

  ShardRunnerOptions options_;
  const Clock& clock_;
  std::mutex mutex_;                // guards current_ and probes_
  std::shared_ptr<Shard> current_;  // the shard in hand, until its final poll or abandonment
};

}  // namespace sentinel::agent
