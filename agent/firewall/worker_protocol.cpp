#include "agent/firewall/worker_protocol.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agent/firewall/firewall_events.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::agent::firewall {
namespace {

namespace json = boost::json;

Result<json::object> parse_object(std::string_view payload) {
  boost::system::error_code ec;
  json::value value = json::parse(payload, ec);
  if (ec || !value.is_object()) return invalid_argument("worker frame: not a JSON object");
  return std::move(value.as_object());
}

}  // namespace

std::string encode_request(const WorkerRequest& request) {
  return json::serialize(json::object{{"name", request.name}, {"args", request.args}});
}

Result<WorkerRequest> decode_request(std::string_view payload) {
  SENTINEL_ASSIGN(object, parse_object(payload));
  const json::value* name = object.if_contains("name");
  const json::value* args = object.if_contains("args");
  if (name == nullptr || !name->is_string() || args == nullptr || !args->is_object() ||
      object.size() != 2) {
    return invalid_argument(
        "worker request: expected exactly {\"name\": string, \"args\": object}");
  }
  return WorkerRequest{std::string(name->as_string()), std::move(object.at("args").as_object())};
}

Result<json::object> decode_response(std::string_view payload) {
  return agent::decode_response(payload, "the firewall worker");
}

json::object encode_maintenance(const Maintenance& done) {
  json::array events;
  for (const json::object& event : done.events) events.push_back(event);
  json::array problems;
  for (const std::string& problem : done.problems) problems.push_back(json::string(problem));
  return json::object{{"events", std::move(events)}, {"problems", std::move(problems)}};
}

Result<Maintenance> decode_maintenance(const json::object& result) {
  const json::value* events = result.if_contains("events");
  const json::value* problems = result.if_contains("problems");
  if (events == nullptr || !events->is_array() || problems == nullptr || !problems->is_array() ||
      result.size() != 2) {
    return internal_error("the firewall worker sent a malformed maintenance result");
  }
  Maintenance done;
  for (const json::value& event : events->as_array()) {
    // Checked as the server will, so that the spool never holds an event it refuses.
    auto data = protocol::parse_event_data(json::serialize(event));
    if (!data) {
      return internal_error("the firewall worker sent a bad event: " + data.error().message);
    }
    const json::value* action = data->if_contains("event.action");
    if (action == nullptr || !action->is_string() ||
        (action->as_string() != kDriftAction && action->as_string() != kRolledBackAction)) {
      return internal_error("the firewall worker sent an event of another kind");
    }
    done.events.push_back(std::move(*data));
  }
  for (const json::value& problem : problems->as_array()) {
    if (!problem.is_string()) {
      return internal_error("the firewall worker sent a malformed problem");
    }
    done.problems.emplace_back(problem.as_string());
  }
  return done;
}

}  // namespace sentinel::agent::firewall
