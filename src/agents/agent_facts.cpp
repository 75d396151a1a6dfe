#include "agent_facts.h"

#include <fmt/format.h>

#include <algorithm>

#include "sentinel/common/text.h"

namespace sentinel::agents {
namespace {

constexpr std::size_t kMaxHostname = 253;
constexpr std::size_t kMaxFact = 255;

Status check_fact(std::string_view value, std::string_view field) {
  if (value.size() > kMaxFact) {
    return invalid_argument(fmt::format("{} is longer than {} bytes", field, kMaxFact),
                            std::string(field));
  }
  if (has_control_character(value)) {
    return invalid_argument(fmt::format("{} has control characters", field), std::string(field));
  }
  return ok();
}

}  // namespace

Status check_facts(const AgentFacts& facts) {
  const bool hostname_ok = !facts.hostname.empty() && facts.hostname.size() <= kMaxHostname &&
                           std::all_of(facts.hostname.begin(), facts.hostname.end(),
                                       [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (!hostname_ok) {
    return invalid_argument("hostname must be 1 to 253 printable ASCII characters without spaces",
                            "hostname");
  }
  SENTINEL_TRY(check_fact(facts.os, "os"));
  SENTINEL_TRY(check_fact(facts.kernel, "kernel"));
  SENTINEL_TRY(check_fact(facts.arch, "arch"));
  return check_fact(facts.agent_version, "agent_version");
}

}  // namespace sentinel::agents
