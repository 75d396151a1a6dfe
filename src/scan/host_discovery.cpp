#include "sentinel/scan/host_discovery.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "arp_sweep.h"
#include "ndp_sweep.h"
#include "ping_sweep.h"
#include "port_scan_checks.h"
#include "raw_probe_loop.h"
#include "sentinel/scan/connect_scanner.h"
#include "source_addresses.h"

namespace sentinel::scan {
namespace {

// Per-host flags of a raw run.
constexpr std::uint8_t kReported = 1;
constexpr std::uint8_t kSawUnreachable = 2;
constexpr std::uint8_t kSawNoRoute = 4;
// Discovery is a few probes per host; the per-host counters are a byte.
constexpr std::size_t kMaxConnectPorts = 64;

std::string join_ports(const std::vector<std::uint16_t>& ports) {
  return fmt::format("{}", fmt::join(ports, ","));
}

}  // namespace

std::string_view to_string(HostState state) { return state == HostState::kUp ? "up" : "down"; }

std::string_view to_string(DiscoveryMethod method) {
  return method == DiscoveryMethod::kRaw ? "raw" : "unprivileged";
}

Result<std::unique_ptr<HostDiscovery>> HostDiscovery::create(TargetSet targets,
                                                             const ScanScope& scope,
                                                             DiscoveryOptions options) {
  SENTINEL_TRY(check_scan_plan(targets, scope, options.limits));
  if (targets.size() > SourceAddresses::kMaxHosts) {
    return invalid_argument(
        fmt::format("discovery takes at most {} addresses; split the targets into shards",
                    SourceAddresses::kMaxHosts),
        "targets");
  }
  std::unique_ptr<HostDiscovery> discovery(new HostDiscovery(std::move(targets), options));
  std::string why_not_raw = "raw sockets not allowed by the options";
  if (options.allow_raw) {
    std::vector<ProbeSpec> probes;
    std::vector<std::string> described;
    if (options.icmp_echo) {
      probes.push_back({ProbeKind::kIcmpEcho, 0});
      described.push_back("ICMP echo");
    }
    if (options.syn_port != 0) {
      probes.push_back({ProbeKind::kTcpSyn, options.syn_port});
      described.push_back(fmt::format("TCP SYN to {}", options.syn_port));
    }
    if (options.ack_port != 0) {
      probes.push_back({ProbeKind::kTcpAck, options.ack_port});
      described.push_back(fmt::format("TCP ACK to {}", options.ack_port));
    }
    if (probes.empty()) return invalid_argument("no discovery probes chosen", "probes");
    auto loop =
        RawProbeLoop::create(discovery->targets_, std::move(probes), options.limits, options.seed);
    if (loop) {
      discovery->raw_ = std::move(*loop);
      discovery->method_ = DiscoveryMethod::kRaw;
      if (options.arp) {
        auto arp = ArpSweep::open(discovery->targets_, local_link_segments());
        if (!arp) {
          described.push_back(fmt::format("no ARP ({})", arp.error().message));
        } else if (*arp) {
          described.push_back((*arp)->describe() + " for the hosts there");
          discovery->arp_ = std::move(*arp);
        }
      }
      if (options.ndp) {
        auto ndp = NdpSweep::open(discovery->targets_, local_ipv6_segments());
        if (!ndp) {
          described.push_back(fmt::format("no NDP ({})", ndp.error().message));
        } else if (*ndp) {
          described.push_back((*ndp)->describe() + " for the hosts there");
          discovery->ndp_ = std::move(*ndp);
        }
      }
      discovery->method_reason_ =
          fmt::format("raw sockets available: {}", fmt::join(described, ", "));
      return discovery;
    }
    if (loop.error().reason != kRawSocketsUnavailable) return std::move(loop).error();
    why_not_raw = loop.error().message;
  }

  discovery->method_ = DiscoveryMethod::kUnprivileged;
  std::vector<std::uint16_t>& ports = discovery->options_.connect_ports;
  SENTINEL_TRY(check_port_list(discovery->targets_, ports));
  if (ports.size() > kMaxConnectPorts) {
    return invalid_argument(fmt::format("at most {} ports to connect() to", kMaxConnectPorts),
                            "connect_ports");
  }
  auto ping = PingSweep::open(discovery->targets_);
  std::string echo;
  if (ping) {
    discovery->ping_ = std::move(*ping);
    echo = "ICMP echo (datagram socket), then ";
  } else {
    echo = fmt::format("no ICMP echo ({}); ", ping.error().message);
  }
  discovery->method_reason_ =
      fmt::format("{}: {}connect() to {}", why_not_raw, echo, join_ports(ports));
  return discovery;
}

HostDiscovery::HostDiscovery(TargetSet targets, DiscoveryOptions options)
    : targets_(std::move(targets)),
      options_(std::move(options)),
      done_(static_cast<std::size_t>(targets_.size()), 0) {}

HostDiscovery::~HostDiscovery() = default;

void HostDiscovery::finish(std::uint64_t index, HostState state, Duration rtt,
                           std::string_view reason, const HostResultHandler& on_result,
                           const std::optional<MacAddress>& mac) {
  done_[index] |= kReported;
  hosts_done_.fetch_add(1, std::memory_order_relaxed);
  if (state == HostState::kUp) hosts_up_.fetch_add(1, std::memory_order_relaxed);
  on_result(HostResult{targets_.at(index), state, state == HostState::kUp ? rtt : Duration{0},
                       reason, mac});
}

Result<ScanOutcome> HostDiscovery::run(const HostResultHandler& on_result) {
  if (ran_.exchange(true)) return conflict("this discovery has already run");
  if (cancelled_.load()) return ScanOutcome::kCancelled;
  return method_ == DiscoveryMethod::kRaw ? run_raw(on_result) : run_unprivileged(on_result);
}

Result<ScanOutcome> HostDiscovery::run_link_sweep(LinkSweep& sweep, std::string_view reason,
                                                  const HostResultHandler& on_result) {
  // On a local segment ARP (NDP) decides: a host there answers it whatever it filters, and
  // one that does not answer could not get an IP probe either (the kernel cannot resolve it).
  const auto on_reply = [&](std::uint64_t index, Duration rtt,
                            const std::optional<MacAddress>& mac) {
    finish(index, HostState::kUp, rtt, reason, on_result, mac);
  };
  SENTINEL_ASSIGN(outcome, sweep.run(options_.limits, on_reply));
  if (outcome == ScanOutcome::kCancelled || cancelled_.load()) return ScanOutcome::kCancelled;
  for (const std::uint64_t index : sweep.covered()) {
    if ((done_[index] & kReported) == 0) {
      finish(index, HostState::kDown, Duration{0}, "no-response", on_result);
    }
  }
  return ScanOutcome::kCompleted;
}

Result<ScanOutcome> HostDiscovery::run_raw(const HostResultHandler& on_result) {
  if (arp_) {
    SENTINEL_ASSIGN(outcome, run_link_sweep(*arp_, "arp-response", on_result));
    if (outcome == ScanOutcome::kCancelled) return outcome;
  }
  if (ndp_) {
    SENTINEL_ASSIGN(outcome, run_link_sweep(*ndp_, "ndp-response", on_result));
    if (outcome == ScanOutcome::kCancelled) return outcome;
  }
  const std::size_t probes = raw_->probes().size();
  // Pairs of each host still to end; a host no probe found is down once all have ended.
  std::vector<std::uint8_t> remaining(done_.size(), static_cast<std::uint8_t>(probes));
  const auto settled = [&](std::uint64_t index) { return (done_[index] & kReported) != 0; };
  const auto on_outcome = [&](const ProbeOutcome& outcome) {
    const std::uint64_t index = outcome.host_index;
    if (done_[index] & kReported) return;
    std::string_view up_reason;
    switch (outcome.answer) {
      case ProbeAnswer::kEchoReply:
        up_reason = "echo-reply";
        break;
      case ProbeAnswer::kSynAck:
        up_reason = "syn-ack";
        break;
      case ProbeAnswer::kReset:
        up_reason = "rst";
        break;
      case ProbeAnswer::kUnreachable:
        // Only the host itself saying "port/protocol unreachable" proves it is there.
        if (outcome.responder == outcome.host) {
          up_reason = "icmp-unreachable";
        } else {
          done_[index] |= kSawUnreachable;
        }
        break;
      case ProbeAnswer::kNoRoute:
        done_[index] |= kSawNoRoute;
        break;
      case ProbeAnswer::kNoAnswer:
        break;
    }
    if (!up_reason.empty()) {
      finish(index, HostState::kUp, outcome.rtt, up_reason, on_result);
      return;
    }
    if (--remaining[index] > 0) return;
    const std::string_view reason = (done_[index] & kSawUnreachable) ? "host-unreachable"
                                    : (done_[index] & kSawNoRoute)   ? "no-route"
                                                                     : "no-response";
    finish(index, HostState::kDown, Duration{0}, reason, on_result);
  };
  return raw_->run(on_outcome, settled);
}

Result<ScanOutcome> HostDiscovery::run_unprivileged(const HostResultHandler& on_result) {
  if (ping_) {
    const auto wanted = [&](std::uint64_t index) { return (done_[index] & kReported) == 0; };
    const auto on_reply = [&](std::uint64_t index, Duration rtt) {
      finish(index, HostState::kUp, rtt, "echo-reply", on_result);
    };
    SENTINEL_ASSIGN(outcome,
                    ping_->run(targets_, options_.limits, options_.seed, wanted, on_reply));
    if (outcome == ScanOutcome::kCancelled || cancelled_.load()) return ScanOutcome::kCancelled;
  }

  std::vector<AddressRange> unknown;
  for (std::uint64_t index = 0; index < done_.size(); ++index) {
    if (done_[index] & kReported) continue;
    const IpAddress address = targets_.at(index);
    if (!unknown.empty() && unknown.back().last.plus(1) == address &&
        unknown.back().last < address) {
      unknown.back().last = address;
    } else {
      unknown.push_back(AddressRange::single(address));
    }
  }
  if (unknown.empty()) return ScanOutcome::kCompleted;

  ConnectScanOptions connect;
  connect.limits = options_.limits;
  connect.limits.max_concurrency = std::min<std::size_t>(connect.limits.max_concurrency, 1024);
  connect.seed = options_.seed;
  const ScanScope everything = ScanScope::from_ranges(unknown);
  SENTINEL_ASSIGN(scanner, ConnectScanner::create(TargetSet::from_ranges(unknown),
                                                  options_.connect_ports, everything, connect));
  {
    std::lock_guard lock(active_mutex_);
    if (cancelled_.load()) return ScanOutcome::kCancelled;
    active_connect_ = scanner.get();
  }
  std::vector<std::uint8_t> remaining(done_.size(),
                                      static_cast<std::uint8_t>(options_.connect_ports.size()));
  const auto on_port = [&](const PortResult& result) {
    const auto index = targets_.index_of(result.address);
    if (!index || (done_[*index] & kReported)) return;
    if (result.state == PortState::kOpen) {
      finish(*index, HostState::kUp, result.rtt, "syn-ack", on_result);
    } else if (result.state == PortState::kClosed) {
      finish(*index, HostState::kUp, result.rtt, "rst", on_result);
    } else if (--remaining[*index] == 0) {
      finish(*index, HostState::kDown, Duration{0}, "no-response", on_result);
    }
  };
  auto outcome = scanner->run(on_port);
  connect_probes_.fetch_add(scanner->progress().probes_sent);
  {
    std::lock_guard lock(active_mutex_);
    active_connect_ = nullptr;
  }
  return outcome;
}

void HostDiscovery::cancel() {
  cancelled_.store(true);
  if (raw_) raw_->cancel();
  if (arp_) arp_->cancel();
  if (ndp_) ndp_->cancel();
  if (ping_) ping_->cancel();
  std::lock_guard lock(active_mutex_);
  if (active_connect_ != nullptr) active_connect_->cancel();
}

DiscoveryProgress HostDiscovery::progress() const {
  DiscoveryProgress progress;
  progress.hosts_total = targets_.size();
  progress.hosts_done = hosts_done_.load();
  progress.hosts_up = hosts_up_.load();
  progress.probes_sent = (raw_ ? raw_->probes_sent() : 0) + (arp_ ? arp_->requests_sent() : 0) +
                         (ndp_ ? ndp_->requests_sent() : 0) + (ping_ ? ping_->requests_sent() : 0) +
                         connect_probes_.load();
  return progress;
}

}  // namespace sentinel::scan
