#include "service_probe_sequence.h"

#include <algorithm>

#include "service_pattern.h"

namespace sentinel::scan {

ProbeSequence::ProbeSequence(const ServiceProbes& probes, std::uint16_t port,
                             ProbeSequenceOptions options)
    : ProbeSequence(probes, Protocol::kTcp, port, options) {}

ProbeSequence::ProbeSequence(const ServiceProbes& probes, Protocol protocol, std::uint16_t port,
                             ProbeSequenceOptions options)
    : probes_(probes), protocol_(protocol), port_(port), options_(options) {
  // nmap's `Exclude` ports (printers print whatever arrives) get no probe at all.
  if (probes_.excluded(protocol_, port_)) {
    finished_ = true;
    return;
  }
  start_plan();
}

std::optional<ProbeStep> ProbeSequence::current() const {
  if (finished_) return std::nullopt;
  const ServiceProbe* probe = plan_[index_];
  const bool banner = protocol_ == Protocol::kTcp && probe->payload.empty();
  const auto wait =
      banner ? options_.banner_wait : std::min(probe->total_wait, options_.max_probe_wait);
  return ProbeStep{probe, tls_, reuse_, wait};
}

bool ProbeSequence::on_answer(std::string_view answer) {
  if (finished_) return true;
  const std::string only = soft_ ? soft_->service : std::string();
  std::optional<ServiceInfo> found = probes_.match(*plan_[index_], answer, only);
  if (!found) return false;
  if (found->soft) {
    if (!soft_) soft_ = std::move(found);
    return false;
  }
  if (found->service == "ssl" && !tls_ && protocol_ == Protocol::kTcp) {
    // nmap's "ssl/..." names: what speaks inside the TLS is the service; start over in there.
    ssl_ = std::move(found);
    tls_ = true;
    soft_.reset();
    start_plan();
    return true;
  }
  service_ = std::move(found);
  tunnel_ = tls_ ? "ssl" : "";
  finished_ = true;
  return true;
}

void ProbeSequence::on_end(std::string_view answer, ProbeEnd end) {
  if (finished_) return;
  const bool null_probe = protocol_ == Protocol::kTcp && plan_[index_]->payload.empty();
  if (end == ProbeEnd::kConnectFailed) {
    // Refused now (the service went away or limits connections), no TLS handshake, or a UDP
    // port that says it is closed: more probes would meet the same.
    finish();
    return;
  }
  if (null_probe && answer.empty() && end == ProbeEnd::kClosed && !tls_) {
    // Accepted, then closed without a word before we sent anything: a TCP wrapper or a service
    // refusing us; nmap calls it tcpwrapped and probes no further.
    service_ = ServiceInfo{.service = "tcpwrapped"};
    finished_ = true;
    return;
  }
  // A silent NULL probe leaves the connection usable: the first real probe goes on it, as
  // nmap does, which saves a connection on every port that waits for the client.
  reuse_ = null_probe && answer.empty() && end == ProbeEnd::kTimeout;
  advance();
}

void ProbeSequence::stop() {
  if (!finished_) finish();
}

void ProbeSequence::start_plan() {
  plan_ = probes_.plan(protocol_, port_, tls_, options_.intensity);
  index_ = 0;
  reuse_ = false;
  if (plan_.empty()) finish();
}

void ProbeSequence::advance() {
  ++index_;
  // After a softmatch, only probes with patterns for that service can improve on it.
  while (soft_ && index_ < plan_.size() && !can_name(*plan_[index_], soft_->service)) {
    ++index_;
  }
  if (index_ >= plan_.size()) finish();
}

void ProbeSequence::finish() {
  finished_ = true;
  if (service_) return;
  if (soft_) {
    service_ = soft_;
    tunnel_ = tls_ ? "ssl" : "";
  } else if (ssl_) {
    service_ = ssl_;  // TLS, and nothing inside it that we know: nmap's "ssl/unknown"
  }
}

bool ProbeSequence::can_name(const ServiceProbe& probe, std::string_view service) const {
  const auto names = [service](const ServiceProbe& source) {
    return std::any_of(source.patterns.begin(), source.patterns.end(),
                       [service](const auto& pattern) { return pattern->service() == service; });
  };
  if (names(probe)) return true;
  for (const std::string& name : probe.fallbacks) {
    const ServiceProbe* fallback = probes_.find(protocol_, name);
    if (fallback != nullptr && names(*fallback)) return true;
  }
  return false;
}

}  // namespace sentinel::scan
