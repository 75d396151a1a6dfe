// Runs the server's decoder of scan_shard_poll answers (what an agent says it found) on
// arbitrary bytes: it must answer with a report or an invalid-argument error naming a field,
// never crash, and a report must hold what the decoder promises (counters in range, hosts and
// ports within the caps, a host's reason and MAC well-formed and a MAC only with a reason, a
// known phase) and survive its own round trip. The same bytes go to the agent's decoder of
// scan_shard_start (what a server asks it to scan): a start's caps must be in range and the
// start must survive its round trip unchanged.

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sentinel/scanner/scan_shard_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel::scanner;
  boost::system::error_code ec;
  const boost::json::value value =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !value.is_object()) return 0;
  if (const auto start = decode_shard_start(value.get_object()); start) {
    if ((start->max_rate && !(*start->max_rate > 0 && *start->max_rate <= kMaxProbeRate)) ||
        (start->max_concurrency &&
         (*start->max_concurrency < 1 || *start->max_concurrency > kMaxProbeConcurrency))) {
      std::abort();
    }
    const auto again = decode_shard_start(encode(*start));
    if (!again || !(*again == *start)) std::abort();
  } else if (start.error().code != sentinel::ErrorCode::kInvalidArgument ||
             start.error().field.empty()) {
    std::abort();
  }
  const auto report = decode_shard_report(value.get_object());
  if (!report) {
    if (report.error().code != sentinel::ErrorCode::kInvalidArgument ||
        report.error().field.empty()) {
      std::abort();
    }
    return 0;
  }
  if (report->pairs_done < 0 || report->pairs_done > report->pairs_total ||
      report->hosts.size() > kMaxHostsPerReport) {
    std::abort();
  }
  for (const FoundHost& host : report->hosts) {
    if (host.ports.size() > kMaxPortsPerHost) std::abort();
    if (!host.reason.empty() && !is_host_reason(host.reason)) std::abort();
    if (!host.mac.empty() && (host.reason.empty() || !is_mac_text(host.mac))) std::abort();
    for (const FoundPort& port : host.ports) {
      if (port.port == 0) std::abort();
    }
  }
  const auto again = decode_shard_report(encode(*report));
  if (!again || again->hosts.size() != report->hosts.size() || again->phase != report->phase) {
    std::abort();
  }
  for (std::size_t i = 0; i < report->hosts.size(); ++i) {
    if (again->hosts[i].reason != report->hosts[i].reason ||
        again->hosts[i].mac != report->hosts[i].mac) {
      std::abort();
    }
  }
  return 0;
}
