// Runs the POST /api/v1/scans body parser on arbitrary bytes: it must answer with a request or
// an invalid-argument error naming a field, never crash, and what it parsed must hold what the
// parser promises (non-empty targets within the caps, a port spec that checks, no host
// discovery asked of agents).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "src/scanner/port_spec.h"
#include "src/scanner/scan_body.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto request = sentinel::scanner::parse_scan_request(body);
  if (!request) {
    if (request.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (request->targets.empty() || request->targets.size() > sentinel::scanner::kMaxTargetEntries ||
      request->exclude.size() > sentinel::scanner::kMaxTargetEntries) {
    std::abort();
  }
  for (const auto* list : {&request->targets, &request->exclude}) {
    for (const std::string& entry : *list) {
      if (entry.empty() || entry.size() > sentinel::scanner::kMaxTargetLength) std::abort();
    }
  }
  if (!request->ports.empty() && !sentinel::scanner::check_port_spec(request->ports)) {
    std::abort();
  }
  // Agents do not find live hosts first: a request that asks them to is refused.
  if (request->agents && request->discovery.value_or(false)) std::abort();
  return 0;
}
