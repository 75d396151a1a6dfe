#include "agent/scan/worker_event_writer.h"

#include "agent/sandbox/worker_stream.h"

namespace sentinel::agent {

ShardSink WorkerEventWriter::sink() {
  return ShardSink{.on_host =
                       [this](const scanner::FoundHost& host) {
                         pending_.hosts.push_back(host);
                         maybe_flush();
                       },
                   .on_result = [this](const scan::PortResult& result) { add(result); },
                   .on_service =
                       [this](const scan::IpAddress& address, const scanner::FoundPort& port) {
                         scanner::FoundHost host{.address = address, .ports = {port}};
                         scanner::fit_for_wire(host);
                         pending_.services.push_back(std::move(host));
                         maybe_flush();
                       },
                   .on_warning =
                       [this](const std::string& warning) {
                         pending_.warnings.push_back(warning.substr(0, kMaxWorkerTextBytes));
                         flush();
                       },
                   .on_progress = [this] { maybe_flush(); }};
}

bool WorkerEventWriter::flush() {
  if (broken_) return false;
  ShardCounters counters = execution_.progress();
  pending_.progress = counters.scan;
  pending_.phase = std::move(counters.phase);
  if (!write_frame(fd_, encode_worker_event(pending_))) {
    // The agent cancelled (closed its end) or is gone: stop scanning for nobody.
    broken_ = true;
    execution_.cancel();
  }
  pending_ = ScanWorkerEvent{};
  last_flush_ = std::chrono::steady_clock::now();
  return !broken_;
}

bool WorkerEventWriter::finish(const Result<scan::ScanOutcome>& outcome) {
  ScanWorkerEvent::Done done;
  if (!outcome) {
    done.error = outcome.error().message.substr(0, kMaxWorkerTextBytes);
  } else {
    done.cancelled = *outcome == scan::ScanOutcome::kCancelled;
  }
  pending_.done = done;
  return flush();
}

void WorkerEventWriter::add(const scan::PortResult& result) {
  const bool first_answer = result.state != scan::PortState::kFiltered &&
                            result.state != scan::PortState::kOpenFiltered &&
                            answered_.insert(result.address).second;
  const bool passed_on = result.state == scan::PortState::kOpen ||
                         result.state == scan::PortState::kOpenFiltered ||
                         (result.state == scan::PortState::kClosed && first_answer);
  if (passed_on) pending_.results.push_back(result);
  maybe_flush();
}

void WorkerEventWriter::maybe_flush() {
  if (pending_.results.size() >= kResultsPerFrame || pending_.hosts.size() >= kResultsPerFrame ||
      pending_.services.size() >= kServicesPerFrame ||
      std::chrono::steady_clock::now() - last_flush_ >= kFlushEvery) {
    flush();
  }
}

}  // namespace sentinel::agent
