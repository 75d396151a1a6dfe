#include "agent_json.h"

#include <boost/json/serialize.hpp>

#include "placement.h"
#include "sentinel/common/time_format.h"

namespace sentinel::agents {
namespace {

boost::json::value optional_time(const std::optional<std::int64_t>& time_ms) {
  return time_ms ? boost::json::value(iso8601_utc(*time_ms)) : boost::json::value(nullptr);
}

boost::json::value optional_text(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

}  // namespace

boost::json::object agent_json(const AgentRecord& agent) {
  boost::json::value certificate = nullptr;
  if (agent.certificate) {
    certificate = boost::json::object{{"serial", agent.certificate->serial_hex},
                                      {"not_after", iso8601_utc(agent.certificate->not_after_ms)}};
  }
  return {{"id", agent.id},
          {"hostname", agent.facts.hostname},
          {"os", agent.facts.os},
          {"kernel", agent.facts.kernel},
          {"arch", agent.facts.arch},
          {"agent_version", agent.facts.agent_version},
          {"group", optional_text(agent.group)},
          {"labels", labels_json(agent.labels)},
          {"status", to_string(agent.status)},
          {"enrolled_at", iso8601_utc(agent.enrolled_at_ms)},
          {"first_seen", optional_time(agent.first_seen_ms)},
          {"last_seen", optional_time(agent.last_seen_ms)},
          {"address", optional_text(agent.last_address)},
          {"revoked_at", optional_time(agent.revoked_at_ms)},
          {"certificate", std::move(certificate)}};
}

boost::json::object enrollment_token_json(const EnrollmentTokenView& token) {
  return {{"id", token.id},
          {"group", optional_text(token.group)},
          {"labels", labels_json(token.labels)},
          {"state", to_string(token.state)},
          {"created_by", token.created_by},
          {"created_at", iso8601_utc(token.created_at_ms)},
          {"expires_at", iso8601_utc(token.expires_at_ms)},
          {"used_at", optional_time(token.used_at_ms)},
          {"agent_id", optional_text(token.used_by_agent)},
          {"revoked_at", optional_time(token.revoked_at_ms)}};
}

std::string agent_event(std::string_view action, const AgentRecord& agent) {
  return boost::json::serialize(
      boost::json::object{{"type", "agent"}, {"action", action}, {"agent", agent_json(agent)}});
}

}  // namespace sentinel::agents
