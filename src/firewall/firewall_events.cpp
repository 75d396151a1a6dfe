#include "firewall_events.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>

namespace sentinel::firewall {
namespace {

constexpr std::size_t kMaxTextBytes = 256;

// `name` as a flat key ("firewall.drift.kind") or as a path of nested objects.
const boost::json::value* field(const boost::json::object& data, std::string_view name) {
  if (const boost::json::value* flat = data.if_contains(name)) return flat;
  const boost::json::object* object = &data;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot - start);
    const boost::json::value* value = object->if_contains(part);
    if (value == nullptr) return nullptr;
    if (dot == std::string_view::npos) return value;
    if (!value->is_object()) return nullptr;
    object = &value->get_object();
    start = dot + 1;
  }
}

std::string text(const boost::json::object& data, std::string_view name) {
  const boost::json::value* value = field(data, name);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string().subview().substr(0, kMaxTextBytes));
}

std::optional<std::int64_t> number(const boost::json::object& data, std::string_view name) {
  const boost::json::value* value = field(data, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64())
    return value->get_int64() > 0 ? std::optional(value->get_int64()) : std::nullopt;
  if (!value->is_string()) return std::nullopt;
  const std::string_view digits = value->get_string().subview();
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      parsed < 1) {
    return std::nullopt;
  }
  return parsed;
}

}  // namespace

FirewallEvent parse_firewall_event(std::string_view payload) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(payload, ec);
  if (ec || !root.is_object()) return {};
  const boost::json::value* event = root.get_object().if_contains("event");
  if (event == nullptr || !event->is_object()) return {};
  const boost::json::object& stored = event->get_object();
  const boost::json::value* agent = stored.if_contains("agent_id");
  const boost::json::value* time = stored.if_contains("time");
  const boost::json::value* data = stored.if_contains("data");
  if (agent == nullptr || !agent->is_string() || agent->get_string().empty() || data == nullptr ||
      !data->is_object()) {
    return {};
  }
  const boost::json::object& fields = data->get_object();
  const std::string module = text(fields, "event.module");
  if (!module.empty() && module != "firewall") return {};
  const std::string action = text(fields, "event.action");
  const std::int64_t time_ms = time != nullptr && time->is_int64() ? time->get_int64() : 0;
  if (action == "firewall.drift") {
    return DriftEvent{.agent_id = std::string(agent->get_string()),
                      .time_ms = time_ms,
                      .kind = text(fields, "firewall.drift.kind"),
                      .version = number(fields, "firewall.version"),
                      .found_hash = text(fields, "firewall.listing_hash.found"),
                      .expected_hash = text(fields, "firewall.listing_hash.expected")};
  }
  if (action == "firewall.rolled_back") {
    return RollbackEvent{.agent_id = std::string(agent->get_string()),
                         .time_ms = time_ms,
                         .abandoned_version = number(fields, "firewall.version"),
                         .restored_version = number(fields, "firewall.restored_version")};
  }
  return {};
}

}  // namespace sentinel::firewall
