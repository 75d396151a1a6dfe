#pragma once
// The rounds of a discovery sweep (ICMP echo through ping sockets, ARP, NDP): every target
// still silent is asked once a round, paced by a rate limit; replies are read between sends
// and while waiting, a bounded number of packets per socket at a time; the round's last
// request gets one timeout (from the replies' round-trip times) before the next round starts.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/rtt_estimator.h"
#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// The waits, pacing and retries of one sweep over its sockets; the sweep (PingSweep,
/// LinkSweep) builds, sends and reads the packets. Owns the epoll set and the cancel event,
/// not the sockets. run() once, from one thread; cancel() and requests_sent() from any.
class SweepRounds {
 public:
  /// What one attempt to send a request came to.
  enum class Sent : std::uint8_t {
    kSent,        // on its way, or refused at once (the target stays silent): the round waits
    kNotSent,     // failed: not counted, and the round does not wait for it
    kBufferFull,  // the send buffer is full: the same request again after a short wait
  };

  /// Packets read_replies may read per socket and call, so that a flood cannot hold a sweep
  /// past its deadlines.
  static constexpr int kMaxReadsPerWait = 1024;

  /// The sweep's part. Targets are positions 0 .. targets - 1, asked in that order.
  struct Requests {
    std::uint64_t targets = 0;
    /// Requests sent between two reads of the sockets, so that a long round does not
    /// overflow their receive buffers.
    int sends_between_reads = 64;
    /// Whether the target at `position` is still to be asked (no reply yet, still wanted).
    std::function<bool(std::uint64_t position)> pending;
    /// Sends round `round`'s (0-based) request to the target at `position`, at `now`.
    std::function<Sent(std::uint64_t position, int round, TimePoint now)> send;
    /// Reads what waits on the socket watched as `source`, at most kMaxReadsPerWait packets;
    /// a valid reply adds its round-trip time to the RttEstimator given to run().
    std::function<void(std::size_t source)> read_replies;
  };

  /// `name` ("ARP sweep", "ping sweep") begins its errors.
  explicit SweepRounds(std::string name) : name_(std::move(name)) {}
  ~SweepRounds();
  SweepRounds(const SweepRounds&) = delete;
  SweepRounds& operator=(const SweepRounds&) = delete;

  /// Creates the epoll set and the cancel event; call before watch().
  Status open();
  /// Adds a socket, whose replies read_replies(source) reads after each wait.
  Status watch(int fd, std::size_t source);

  /// Asks every pending target in rounds (limits.max_retries + 1 at most; a round asks only
  /// the targets still pending), at most limits.max_rate requests a second, waiting
  /// rtt.timeout() after each round's last request. kCancelled as soon as cancel() is seen.
  Result<ScanOutcome> run(const ScanLimits& limits, RttEstimator& rtt, const Requests& requests);
  /// Stops a running sweep soon. Thread-safe.
  void cancel();
  std::uint64_t requests_sent() const { return sent_.load(); }

 private:
  // Waits up to `timeout` for replies or a cancellation, then reads every socket; false when
  // cancelled.
  bool wait(Duration timeout, const Requests& requests);

  std::string name_;
  int epoll_fd_ = -1;
  int cancel_fd_ = -1;
  std::vector<std::size_t> sources_;
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace sentinel::scan
