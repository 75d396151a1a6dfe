#include "firewall_json.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sentinel/common/time_format.h"

namespace sentinel::firewall {
namespace {

boost::json::value optional_time(const std::optional<std::int64_t>& time_ms) {
  return time_ms ? boost::json::value(iso8601_utc(*time_ms)) : boost::json::value(nullptr);
}

boost::json::value optional_number(const std::optional<std::int64_t>& number) {
  return number ? boost::json::value(*number) : boost::json::value(nullptr);
}

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::value document_of(const std::string& json) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  return ec ? boost::json::value(nullptr) : value;
}

}  // namespace

boost::json::object summary_json(const PolicySummary& policy) {
  return {{"id", policy.id},
          {"name", policy.name},
          {"description", policy.description},
          {"version", policy.version},
          {"created_at", iso8601_utc(policy.created_ms)},
          {"created_by", policy.created_by},
          {"updated_at", iso8601_utc(policy.updated_ms)},
          {"updated_by", policy.updated_by}};
}

boost::json::object version_json(const PolicyVersion& version) {
  boost::json::object out{
      {"policy_id", version.policy_id}, {"version", version.version},
      {"author", version.author},       {"created_at", iso8601_utc(version.created_ms)},
      {"comment", version.comment},     {"sha256", version.sha256}};
  if (!version.document_json.empty()) out["document"] = document_of(version.document_json);
  return out;
}

boost::json::object detail_json(const PolicyDetail& detail) {
  boost::json::object out = summary_json(detail.policy);
  out["sha256"] = detail.latest.sha256;
  out["comment"] = detail.latest.comment;
  out["author"] = detail.latest.author;
  out["document"] = document_of(detail.latest.document_json);
  return out;
}

boost::json::object saved_json(const SavedPolicy& saved) {
  boost::json::object out = detail_json(PolicyDetail{saved.policy, saved.version});
  out["warnings"] = to_json(saved.warnings);
  return out;
}

boost::json::object assignment_json(const Assignment& assignment) {
  boost::json::object out{{"policy_id", assignment.policy_id}};
  if (assignment.target == AssignmentTarget::kAgent) {
    out["agent_id"] = assignment.value;
  } else {
    out["group"] = assignment.value;
  }
  out["priority"] = assignment.priority;
  out["created_at"] = iso8601_utc(assignment.created_ms);
  out["created_by"] = assignment.created_by;
  return out;
}

boost::json::object effective_json(const std::string& agent_id,
                                   const std::optional<EffectivePolicy>& effective) {
  if (!effective) {
    return {{"agent_id", agent_id},
            {"policy", nullptr},
            {"version", nullptr},
            {"sha256", nullptr},
            {"assignment", nullptr}};
  }
  return {{"agent_id", agent_id},
          {"policy", summary_json(effective->policy)},
          {"version", effective->version.version},
          {"sha256", effective->version.sha256},
          {"assignment", assignment_json(effective->assignment)}};
}

boost::json::object state_json(const AgentFirewallState& state) {
  boost::json::object sets;
  for (const auto& [name, count] : state.sets) sets[name] = count;
  return {{"agent_id", state.agent_id},
          {"policy_id", optional_number(state.policy_id)},
          {"version", optional_number(state.version)},
          {"document_hash", text_or_null(state.document_hash)},
          {"listing_hash", text_or_null(state.listing_hash)},
          {"sets", std::move(sets)},
          {"applied_at", optional_time(state.applied_ms)},
          {"confirmed", state.confirmed},
          {"confirmed_at", optional_time(state.confirmed_ms)},
          {"confirmed_policy_id", optional_number(state.confirmed_policy_id)},
          {"confirmed_version", optional_number(state.confirmed_version)},
          {"last_error", text_or_null(state.last_error)},
          {"last_error_at", optional_time(state.last_error_ms)},
          {"drift_count", state.drift_count},
          {"last_drift_at", optional_time(state.last_drift_ms)},
          {"last_drift_kind", text_or_null(state.last_drift_kind)},
          {"rolled_back_at", optional_time(state.rolled_back_ms)},
          {"rolled_back_version", optional_number(state.rolled_back_version)},
          {"restored_version", optional_number(state.restored_version)},
          {"updated_at", iso8601_utc(state.updated_ms)}};
}

boost::json::object status_json(const AgentFirewallStatus& status) {
  boost::json::object out = state_json(status.state);
  if (status.effective) {
    out["effective"] = boost::json::object{{"policy_id", status.effective->policy.id},
                                           {"policy_name", status.effective->policy.name},
                                           {"version", status.effective->version.version}};
  } else {
    out["effective"] = nullptr;
  }
  out["in_sync"] = status.in_sync;
  return out;
}

boost::json::object apply_result_json(const AgentApplyResult& result) {
  boost::json::object out{{"agent_id", result.agent_id},
                          {"outcome", to_string(result.outcome)},
                          {"policy_id", optional_number(result.policy_id)},
                          {"version", optional_number(result.version)},
                          {"error", text_or_null(result.error)}};
  if (!result.problems.empty()) out["problems"] = to_json(result.problems);
  return out;
}

gateway::Response refusal_with_problems(const Error& error, const std::vector<Problem>& problems) {
  gateway::Response response = gateway::error_response(error);
  boost::json::object body = boost::json::parse(response.body).as_object();
  body["problems"] = to_json(problems);
  return gateway::Response::json(body, response.status);
}

std::string state_message(std::string_view action, const AgentFirewallState& state) {
  return boost::json::serialize(boost::json::object{{"type", "firewall"},
                                                    {"action", action},
                                                    {"agent_id", state.agent_id},
                                                    {"state", state_json(state)}});
}

}  // namespace sentinel::firewall
