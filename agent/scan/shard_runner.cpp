#include "agent/scan/shard_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <map>
#include <thread>
#include <vector>

#include "sentinel/scan/port_list.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/found_results.h"

namespace sentinel::agent {

using scanner::FoundHost;
using scanner::FoundPort;
using scanner::ShardReport;
using scanner::ShardState;

namespace {

// Ports of one host per answer entry at most, so that a host with thousands of open ports is
// handed over in parts that fit the answer budget.
constexpr std::size_t kPortsPerEntry = 256;

std::string ranges_text(const std::vector<scan::AddressRange>& ranges) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < ranges.size() && i < 8; ++i) parts.push_back(ranges[i].to_string());
  if (ranges.size() > 8) parts.push_back(fmt::format("and {} more ranges", ranges.size() - 8));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

/// One shard's state, shared by the runner (commands) and the shard's thread.
struct ShardRunner::Shard {
  scanner::ShardRef ref;
  std::unique_ptr<ShardExecution> execution;
  std::thread thread;

  std::atomic<bool> cancelled{false};
  std::atomic<bool> finished{false};  // the thread has done all it will do

  std::mutex mutex;             // guards everything below
  scanner::FoundResults found;  // pending(): not yet handed over
  ShardState state = ShardState::kRunning;
  std::string error;
  std::int64_t last_poll_ms = 0;

  // Runs on the shard's thread: a host discovery found up is pending at once, with how it was
  // found and its MAC, even without ports.
  void on_host(const FoundHost& host) {
    std::lock_guard lock(mutex);
    found.add_up(host);
  }

  // Runs on the shard's thread: a host that answered, each open port and each open|filtered
  // UDP port of a host that answered become pending results.
  void on_result(const scan::PortResult& result) {
    std::lock_guard lock(mutex);
    found.add(result);
  }

  // Runs on the shard's thread: a named service updates its port if not yet handed over, or
  // comes again as the same port with its service.
  void on_service(const scan::IpAddress& address, const FoundPort& named) {
    std::lock_guard lock(mutex);
    FoundHost& host = found.pending()[address];
    host.address = address;
    auto port = std::find_if(host.ports.begin(), host.ports.end(), [&](const FoundPort& p) {
      return p.port == named.port && p.protocol == named.protocol;
    });
    if (port == host.ports.end()) {
      port = host.ports.insert(host.ports.end(),
                               FoundPort{.port = named.port, .protocol = named.protocol});
    }
    port->state = named.state;  // a UDP port that answered a probe is open
    port->service = named.service;
    port->tunnel = named.tunnel;
    port->tls = named.tls;
  }

  // Up to `budget` bytes of pending hosts (at least one entry), taken out of `pending`.
  std::vector<FoundHost> take(std::size_t budget) {
    std::vector<FoundHost> out;
    std::size_t used = 0;
    std::map<scan::IpAddress, FoundHost>& pending = found.pending();
    while (!pending.empty()) {
      auto first = pending.begin();
      FoundHost entry;
      entry.address = first->first;
      entry.reason = first->second.reason;
      entry.mac = first->second.mac;
      std::vector<FoundPort>& ports = first->second.ports;
      const std::size_t count = std::min(ports.size(), kPortsPerEntry);
      // A copy: the ports stay pending unless the entry fits.
      entry.ports.assign(ports.begin(), ports.begin() + static_cast<std::ptrdiff_t>(count));
      scanner::fit_for_wire(entry);
      const std::size_t size = boost::json::serialize(scanner::found_host_json(entry)).size();
      if (!out.empty() && used + size > budget) break;  // the next poll takes it
      ports.erase(ports.begin(), ports.begin() + static_cast<std::ptrdiff_t>(count));
      if (ports.empty()) pending.erase(first);
      used += size;
      out.push_back(std::move(entry));
      if (out.size() >= scanner::kMaxHostsPerReport) break;
    }
    return out;
  }
};

ShardRunner::ShardRunner(ShardRunnerOptions options, ShardEngine& engine, const Clock& clock)
    : options_(std::move(options)), engine_(engine), clock_(clock) {}

ShardRunner::~ShardRunner() {
  std::shared_ptr<Shard> shard;
  {
    std::lock_guard lock(mutex_);
    shard = std::move(current_);
  }
  if (!shard) return;
  shard->cancelled = true;
  shard->execution->cancel();
  if (shard->thread.joinable()) shard->thread.join();
}

Result<boost::json::object> ShardRunner::handle(const std::string& name,
                                                const boost::json::object& args) {
  if (name == scanner::kShardStartCommand) return start(args);
  if (name == scanner::kShardPollCommand) return poll(args);
  if (name == scanner::kShardCancelCommand) return cancel(args);
  return invalid_argument(fmt::format("unknown command '{}'", name), "name");
}

Result<boost::json::object> ShardRunner::start(const boost::json::object& args) {
  SENTINEL_ASSIGN(request, scanner::decode_shard_start(args));
  SENTINEL_ASSIGN(scope, scan::ScanScope::parse(request.scope, "scope"));
  SENTINEL_ASSIGN(targets, scanner::parse_shard_targets(request.targets));
  // The server checked the targets; this agent checks them again against what it was told may
  // be scanned, before a single probe leaves it.
  if (const auto outside = scope.outside(targets); !outside.empty()) {
    return permission_denied(fmt::format("targets outside the scope sent ({}): {}", request.scope,
                                         ranges_text(outside)));
  }
  SENTINEL_ASSIGN(ports, scan::PortList::parse(request.ports, scan::Protocol::kTcp, "ports"));

  std::lock_guard lock(mutex_);
  if (current_) {
    Shard& held = *current_;
    std::int64_t last_poll = 0;
    {
      std::lock_guard held_lock(held.mutex);
      last_poll = held.last_poll_ms;
    }
    const bool abandoned = clock_.now_ms() - last_poll >= options_.abandon_after.count();
    if (abandoned && !held.cancelled.exchange(true)) {
      spdlog::warn("scan: shard {} of job {} was not polled for {} s; given up", held.ref.shard,
                   held.ref.job_id, options_.abandon_after.count() / 1000);
      held.execution->cancel();
    }
    if (!held.cancelled || !held.finished) {
      return Error{
          ErrorCode::kConflict,
          fmt::format("busy: shard {} of job {} is in hand", held.ref.shard, held.ref.job_id),
          "busy",
          {}};
    }
    held.thread.join();
    current_.reset();
  }

  const std::uint64_t pairs = targets.size() * ports.size();
  // The engine starts the shard's worker (and checks the plan once more); its errors are the
  // plan's, or why the worker could not start.
  SENTINEL_ASSIGN(execution, engine_.prepare(request));
  auto shard = std::make_shared<Shard>();
  shard->ref = {request.job_id, request.shard};
  shard->execution = std::move(execution);
  shard->last_poll_ms = clock_.now_ms();
  shard->thread = std::thread([shard] { run(shard); });
  current_ = shard;
  const std::string& method = shard->execution->method();
  spdlog::info("scan: shard {} of job {} started: {} ({} probe pairs, {}; {})", request.shard,
               request.job_id, request.targets, pairs, method, shard->execution->reason());
  return boost::json::object{{"accepted", true}, {"method", method}};
}

void ShardRunner::run(const std::shared_ptr<Shard>& shard) {
  const ShardSink sink{
      .on_host = [&shard](const FoundHost& host) { shard->on_host(host); },
      .on_result = [&shard](const scan::PortResult& result) { shard->on_result(result); },
      .on_service = [&shard](const scan::IpAddress& address,
                             const FoundPort& port) { shard->on_service(address, port); },
      .on_warning =
          [&shard](const std::string& warning) {
            spdlog::warn("scan: shard {} of job {}: {}", shard->ref.shard, shard->ref.job_id,
                         warning);
          }};
  Result<scan::ScanOutcome> outcome = shard->execution->run(sink);
  std::string error;
  if (!outcome) {
    error = outcome.error().message;
  } else if (*outcome == scan::ScanOutcome::kCancelled || shard->cancelled) {
    error = "cancelled";
  }
  {
    std::lock_guard lock(shard->mutex);
    shard->state = error.empty() ? ShardState::kDone : ShardState::kFailed;
    shard->error = std::move(error);
  }
  shard->finished = true;
  spdlog::info("scan: shard {} of job {} ended: {}{}", shard->ref.shard, shard->ref.job_id,
               scanner::to_string(shard->state), shard->error.empty() ? "" : ": " + shard->error);
}

Result<boost::json::object> ShardRunner::poll(const boost::json::object& args) {
  SENTINEL_ASSIGN(ref, scanner::decode_shard_ref(args));
  std::lock_guard lock(mutex_);
  if (!current_ || current_->ref != ref || current_->cancelled) {
    return not_found(fmt::format("no such shard: shard {} of job {} is not on this agent",
                                 ref.shard, ref.job_id));
  }
  Shard& shard = *current_;
  const ShardCounters counters = shard.execution->progress();
  const scan::ScanProgress& progress = counters.scan;
  ShardReport report;
  report.pairs_total = static_cast<std::int64_t>(progress.pairs_total);
  report.pairs_done = static_cast<std::int64_t>(progress.pairs_done);
  report.open_found = static_cast<std::int64_t>(progress.open_found);
  report.rate = progress.probes_per_second;
  report.phase = counters.phase;
  // Read before taking results: a shard that finishes in between is reported running once more,
  // never done with results still held back.
  const bool finished = shard.finished;
  {
    std::lock_guard shard_lock(shard.mutex);
    shard.last_poll_ms = clock_.now_ms();
    report.hosts = shard.take(options_.max_answer_bytes);
    if (finished && shard.found.pending().empty()) {
      report.state = shard.state;
      report.error = shard.error;
      report.phase.clear();
    }
  }
  if (report.state != ShardState::kRunning) {
    // Everything was handed over: the shard is the server's now.
    shard.thread.join();
    current_.reset();
  }
  return scanner::encode(report);
}

Result<boost::json::object> ShardRunner::cancel(const boost::json::object& args) {
  SENTINEL_ASSIGN(ref, scanner::decode_shard_ref(args));
  std::lock_guard lock(mutex_);
  if (!current_ || current_->ref != ref) return boost::json::object{{"cancelled", false}};
  Shard& shard = *current_;
  shard.cancelled = true;
  shard.execution->cancel();
  {
    std::lock_guard shard_lock(shard.mutex);
    shard.found.pending().clear();
  }
  spdlog::info("scan: shard {} of job {} cancelled", ref.shard, ref.job_id);
  // The thread ends soon; the next start joins it.
  return boost::json::object{{"cancelled", true}};
}

}  // namespace sentinel::agent
