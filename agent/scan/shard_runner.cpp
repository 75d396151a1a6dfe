#include "agent/scan/shard_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "sentinel/scan/port_list.h"
#include "sentinel/scan/port_scanner_factory.h"
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

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

/// One shard's state, shared by the runner (commands) and the shard's thread.
struct ShardRunner::Shard {
  scanner::ShardRef ref;
  scan::ScanScope scope = scan::ScanScope::from_ranges({});
  std::unique_ptr<scan::PortScanner> scanner;
  std::string method;
  bool detect = false;
  std::shared_ptr<const scan::ServiceProbes> probes;
  scan::ServiceDetectionOptions detection;
  std::thread thread;

  std::atomic<bool> cancelled{false};
  std::atomic<bool> finished{false};  // the thread has done all it will do

  std::mutex mutex;                           // guards everything below
  scanner::FoundResults found;                // pending(): not yet handed over
  std::vector<scan::ServiceTarget> open;      // open TCP ports, for service detection
  scan::ServiceDetector* detector = nullptr;  // while detection runs
  ShardState state = ShardState::kRunning;
  std::string error;
  std::int64_t last_poll_ms = 0;

  // Runs on the scan thread: a host that answered, each open port and each open|filtered UDP
  // port of a host that answered become pending results.
  void on_result(const scan::PortResult& result) {
    std::lock_guard lock(mutex);
    found.add(result);
    if (result.state == scan::PortState::kOpen && result.protocol == scan::Protocol::kTcp) {
      open.push_back({result.address, result.port});
    }
  }

  // Runs on the detection thread: a named service updates its port if not yet handed over, or
  // comes again as the same port with its service.
  void on_service(const scan::ServiceResult& result) {
    if (!result.port.service && !result.port.tls) return;
    std::lock_guard lock(mutex);
    FoundHost& host = found.pending()[result.address];
    host.address = result.address;
    auto port = std::find_if(host.ports.begin(), host.ports.end(), [&](const FoundPort& p) {
      return p.port == result.port.port && p.protocol == scan::Protocol::kTcp;
    });
    if (port == host.ports.end()) {
      port = host.ports.insert(host.ports.end(), FoundPort{.port = result.port.port});
    }
    port->service = result.port.service;
    port->tunnel = result.port.tunnel;
    port->tls = result.port.tls;
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

ShardRunner::ShardRunner(ShardRunnerOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

ShardRunner::~ShardRunner() {
  std::shared_ptr<Shard> shard;
  {
    std::lock_guard lock(mutex_);
    shard = std::move(current_);
  }
  if (!shard) return;
  shard->cancelled = true;
  shard->scanner->cancel();
  {
    std::lock_guard lock(shard->mutex);
    if (shard->detector != nullptr) shard->detector->cancel();
  }
  if (shard->thread.joinable()) shard->thread.join();
}

Result<boost::json::object> ShardRunner::handle(const std::string& name,
                                                const boost::json::object& args) {
  if (name == scanner::kShardStartCommand) return start(args);
  if (name == scanner::kShardPollCommand) return poll(args);
  if (name == scanner::kShardCancelCommand) return cancel(args);
  return invalid_argument(fmt::format("unknown command '{}'", name), "name");
}

std::shared_ptr<const scan::ServiceProbes> ShardRunner::probes() {
  // Under mutex_: read once, by the first shard that asks.
  if (!options_.probes) {
    options_.probes =
        std::make_shared<const scan::ServiceProbes>(scan::ServiceProbes::system_or_builtin());
  }
  return options_.probes;
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
      held.scanner->cancel();
      std::lock_guard held_lock(held.mutex);
      if (held.detector != nullptr) held.detector->cancel();
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
  scan::PortScanOptions scan_options;
  scan_options.allow_raw = request.raw;
  scan_options.seed = random_seed();
  // TCP ports first, then UDP ports, as one scan.
  SENTINEL_ASSIGN(chosen,
                  scan::make_port_list_scanner(std::move(targets), ports, scope, scan_options));
  auto shard = std::make_shared<Shard>();
  shard->ref = {request.job_id, request.shard};
  shard->scope = std::move(scope);
  shard->scanner = std::move(chosen.scanner);
  shard->method = std::move(chosen.method);
  shard->detect = request.service_detection;
  if (shard->detect) shard->probes = probes();
  shard->detection = options_.detection;
  shard->last_poll_ms = clock_.now_ms();
  shard->thread = std::thread([shard] { run(shard); });
  current_ = shard;
  spdlog::info("scan: shard {} of job {} started: {} ({} probe pairs, {}; {})", request.shard,
               request.job_id, request.targets, pairs, shard->method, chosen.reason);
  return boost::json::object{{"accepted", true}, {"method", shard->method}};
}

void ShardRunner::run(const std::shared_ptr<Shard>& shard) {
  Result<scan::ScanOutcome> outcome =
      shard->scanner->run([&shard](const scan::PortResult& result) { shard->on_result(result); });
  std::string error;
  if (!outcome) {
    error = "the scan engine failed: " + outcome.error().message;
  } else if (*outcome == scan::ScanOutcome::kCancelled || shard->cancelled) {
    error = "cancelled";
  } else if (shard->detect) {
    std::vector<scan::ServiceTarget> open;
    {
      std::lock_guard lock(shard->mutex);
      open = shard->open;
    }
    if (!open.empty()) {
      auto detector = scan::ServiceDetector::create(shard->probes, std::move(open), shard->scope,
                                                    shard->detection);
      if (!detector) {
        spdlog::warn("scan: service detection of shard {} of job {} not run: {}", shard->ref.shard,
                     shard->ref.job_id, detector.error().message);
      } else {
        {
          std::lock_guard lock(shard->mutex);
          shard->detector = detector->get();
          if (shard->cancelled) (*detector)->cancel();
        }
        Status ran = (*detector)->run(
            [&shard](const scan::ServiceResult& result) { shard->on_service(result); });
        {
          std::lock_guard lock(shard->mutex);
          shard->detector = nullptr;
        }
        // A failed detection fails nothing but the services: the ports stand.
        if (!ran) {
          spdlog::warn("scan: service detection of shard {} of job {} failed: {}", shard->ref.shard,
                       shard->ref.job_id, ran.error().message);
        }
      }
    }
  }
  {
    std::lock_guard lock(shard->mutex);
    shard->state = error.empty() ? ShardState::kDone : ShardState::kFailed;
    shard->error = std::move(error);
  }
  shard->finished = true;
  spdlog::info("scan: shard {} of job {} ended: {}", shard->ref.shard, shard->ref.job_id,
               scanner::to_string(shard->state));
}

Result<boost::json::object> ShardRunner::poll(const boost::json::object& args) {
  SENTINEL_ASSIGN(ref, scanner::decode_shard_ref(args));
  std::lock_guard lock(mutex_);
  if (!current_ || current_->ref != ref || current_->cancelled) {
    return not_found(fmt::format("no such shard: shard {} of job {} is not on this agent",
                                 ref.shard, ref.job_id));
  }
  Shard& shard = *current_;
  const scan::ScanProgress progress = shard.scanner->progress();
  ShardReport report;
  report.pairs_total = static_cast<std::int64_t>(progress.pairs_total);
  report.pairs_done = static_cast<std::int64_t>(progress.pairs_done);
  report.open_found = static_cast<std::int64_t>(progress.open_found);
  report.rate = progress.probes_per_second;
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
  shard.scanner->cancel();
  {
    std::lock_guard shard_lock(shard.mutex);
    if (shard.detector != nullptr) shard.detector->cancel();
    shard.found.pending().clear();
  }
  spdlog::info("scan: shard {} of job {} cancelled", ref.shard, ref.job_id);
  // The thread ends soon; the next start joins it.
  return boost::json::object{{"cancelled", true}};
}

}  // namespace sentinel::agent
