// Two surfaces of service detection on arbitrary bytes:
// - an answer from a (hostile) service, matched against every probe of the built-in set (TCP
//   and UDP): a result names a service, and nothing crashes or hangs (PCRE2's limits bound the
//   time);
// - a probe file (the input up to the first NUL) and an answer (the rest): bad lines become
//   problems with a line number inside the text, never a crash.

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "sentinel/scan/service_probes.h"

namespace {

using sentinel::scan::ServiceProbe;
using sentinel::scan::ServiceProbes;

void match_everywhere(const ServiceProbes& probes, std::string_view answer) {
  for (const ServiceProbe& probe : probes.probes()) {
    const auto found = probes.match(probe, answer);
    if (found && found->service.empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ServiceProbes builtin = ServiceProbes::builtin();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  match_everywhere(builtin, input);

  const std::size_t split = input.find('\0');
  if (split == std::string_view::npos) return 0;
  const std::string_view file = input.substr(0, split);
  const ServiceProbes parsed = ServiceProbes::parse(file, "fuzz");
  const auto lines = static_cast<int>(std::count(file.begin(), file.end(), '\n')) + 1;
  for (const auto& problem : parsed.problems()) {
    if (problem.line < 1 || problem.line > lines || problem.reason.empty()) std::abort();
  }
  match_everywhere(parsed, input.substr(split + 1));
  for (const ServiceProbe& probe : parsed.probes()) {
    if (probe.rarity < 1 || probe.rarity > 9) std::abort();
  }
  (void)parsed.plan(sentinel::scan::Protocol::kTcp, 80, false, 7);
  (void)parsed.plan(sentinel::scan::Protocol::kUdp, 53, false, 7);
  return 0;
}
