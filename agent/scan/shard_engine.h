#pragma once
// How the shard runner runs one shard (ADR 0005): when asked, host discovery of its targets
// first; the port scan of its targets (or of the hosts found up) and ports; then, when asked,
// service detection of its open ports. `ShardEngine` is the seam: the agent
// uses the confined worker child (scan_worker.h, CAP_NET_RAW only, seccomp profile `scanner`);
// `InProcessShardEngine` runs the engine on the calling thread, and is what that child (a fresh
// image of the agent's binary) runs.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/service_detector.h"
#include "sentinel/scan/service_probes.h"
#include "sentinel/scanner/scan_job.h"
#include "sentinel/scanner/scan_shard_protocol.h"

namespace sentinel::agent {

/// What a running shard reports, on the thread that runs it; each call must be quick.
struct ShardSink {
  /// A host discovery found up: address, reason ("arp-response", ...) and MAC when ARP or NDP
  /// found it; no ports. Comes before any port result of that host.
  std::function<void(const scanner::FoundHost&)> on_host;
  /// Every pair's outcome of the port scan (a confined worker passes on only those that can
  /// change what is found: open, open|filtered, and the first closed port of a host).
  std::function<void(const scan::PortResult&)> on_result;
  /// A service named, or TLS facts seen, on an open TCP port (`port` holds only those).
  std::function<void(const scan::IpAddress&, const scanner::FoundPort&)> on_service;
  /// Something that failed without failing the shard (service detection: the ports stand).
  std::function<void(const std::string&)> on_warning;
  /// Counters moved with nothing found (a host discovery found down), so that a confined
  /// worker can send them. May be empty.
  std::function<void()> on_progress;
};

/// What a shard is doing and how far it is. Without discovery, pairs count the whole shard
/// (addresses x ports). With it, while the phase is "discovery" they count the whole shard with
/// the addresses found down as their ports done; after it, the hosts found up x ports, as a job
/// of the server's own engine counts them (so pairs_done falls when discovery ends; the server
/// counts no pair of a shard in discovery as done). `scan.probes_sent` counts discovery's probes
/// too. A plain value.
struct ShardCounters {
  std::string phase;  // "discovery", "ports" or "services"
  scan::ScanProgress scan;
};

/// One shard, ready to run. run() once, from one thread; cancel() and progress() from any.
class ShardExecution {
 public:
  virtual ~ShardExecution() = default;
  /// "syn", "connect", "udp", "syn+udp" or "connect+udp".
  virtual const std::string& method() const = 0;
  /// Why that method (raw sockets refused, ...), for the log.
  virtual const std::string& reason() const = 0;
  /// Finds the live hosts when the shard asked for it, scans (only those), then detects
  /// services when the shard asked for it; returns when all is done or it was cancelled. The
  /// error says why the shard failed ("host discovery failed: ...", "the scan engine failed:
  /// ...", "scan worker blocked by the seccomp filter: ...").
  virtual Result<scan::ScanOutcome> run(const ShardSink& sink) = 0;
  /// Stops it soon (run() then returns kCancelled). Thread-safe.
  virtual void cancel() = 0;
  /// The shard's counters. Thread-safe.
  virtual ShardCounters progress() const = 0;
};

/// Prepares shards. Thread-safe.
class ShardEngine {
 public:
  virtual ~ShardEngine() = default;
  /// The shard's scan, its method chosen (that of the port scan over every target; with
  /// discovery the port scan is made again over the hosts found up), or why it cannot run (the
  /// plan's errors: scope, ports, limits; a worker that could not start). The caller has checked
  /// the targets against the scope sent; the engine checks again.
  virtual Result<std::unique_ptr<ShardExecution>> prepare(const scanner::ShardStart& start) = 0;
};

/// Waits and probes of service detection.
struct ShardEngineOptions {
  scan::ServiceDetectionOptions detection;
  /// The probes of service detection; null: nmap's file when installed, else the built-in set,
  /// read when the first shard asks for detection.
  std::shared_ptr<const scan::ServiceProbes> probes;
};

/// The engine (src/scan) in this process, on the thread that calls run(): when asked, host
/// discovery (scan::HostDiscovery: ICMP echo, SYN and ACK pings, ARP or NDP on a local segment
/// where the process may open raw sockets and the shard allows them, else the unprivileged
/// probes); then raw SYN where the process may open raw sockets and the shard allows it, else
/// connect(); then UDP; then service detection. Thread-safe.
class InProcessShardEngine final : public ShardEngine {
 public:
  explicit InProcessShardEngine(ShardEngineOptions options);
  Result<std::unique_ptr<ShardExecution>> prepare(const scanner::ShardStart& start) override;
  /// The probes (read now when they were not yet).
  std::shared_ptr<const scan::ServiceProbes> probes();
  const scan::ServiceDetectionOptions& detection() const { return options_.detection; }

 private:
  ShardEngineOptions options_;
  std::mutex mutex_;  // guards options_.probes
};

}  // namespace sentinel::agent
