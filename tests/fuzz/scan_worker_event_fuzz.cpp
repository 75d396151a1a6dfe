// Runs the agent's readers of what its confined scan worker sends (a child that scans hostile
// networks, so possibly subverted) on arbitrary bytes: the event decoder must answer with an
// event or an invalid-argument error naming a field, never crash; an event must hold what the
// decoder promises (ports 1..65535, open|filtered only on UDP, counters in order, hosts found
// up with a reason, a well-formed MAC and no ports, a known phase) and survive its own round
// trip. The worker's first answer goes through the shared answer reader.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/sandbox/worker_stream.h"
#include "agent/scan/scan_worker.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);

  const auto answer = agent::decode_response(payload, "the scan worker");
  if (!answer && answer.error().message.empty()) std::abort();

  const auto event = agent::decode_worker_event(payload);
  if (!event) {
    if (event.error().code != ErrorCode::kInvalidArgument || event.error().field.empty()) {
      std::abort();
    }
    return 0;
  }
  for (const scan::PortResult& result : event->results) {
    if (result.port == 0) std::abort();
    if (result.state == scan::PortState::kOpenFiltered && result.protocol != scan::Protocol::kUdp) {
      std::abort();
    }
  }
  for (const scanner::FoundHost& host : event->hosts) {
    if (!scanner::is_host_reason(host.reason) || !host.ports.empty()) std::abort();
    if (!host.mac.empty() && !scanner::is_mac_text(host.mac)) std::abort();
  }
  if (!event->phase.empty() && event->phase != "discovery" && event->phase != "ports" &&
      event->phase != "services") {
    std::abort();
  }
  if (event->progress && event->progress->pairs_done > event->progress->pairs_total) std::abort();
  const auto again = agent::decode_worker_event(agent::encode_worker_event(*event));
  if (!again || again->results.size() != event->results.size() ||
      again->hosts.size() != event->hosts.size() || again->phase != event->phase ||
      again->services.size() != event->services.size() || again->warnings != event->warnings ||
      again->done.has_value() != event->done.has_value()) {
    std::abort();
  }
  return 0;
}
