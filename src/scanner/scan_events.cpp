#include "scan_events.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace sentinel::scanner {
namespace {

std::string message_of(const ScanChange& change) {
  const std::string address = change.address.to_string();
  const std::string where = change.port ? fmt::format("port {}/{} on {}", *change.port,
                                                      to_string(change.protocol), address)
                                        : fmt::format("host {}", address);
  switch (change.action) {
    case ChangeAction::kHostNew:
      return where + " answers (new)";
    case ChangeAction::kHostGone:
      return where + " no longer answers";
    case ChangeAction::kPortOpened:
      return where + " opened";
    case ChangeAction::kPortClosed:
      return where + " is no longer open";
    case ChangeAction::kServiceChanged:
      return where + " runs another service";
  }
  return where;
}

std::string service_name(const ScanChange& change) {
  if (change.after && !change.after->service.empty()) return change.after->service;
  if (change.before && !change.before->service.empty()) return change.before->service;
  return {};
}

}  // namespace

std::vector<events::NewEvent> change_events(const ScanDiff& diff, std::int64_t time_ms) {
  std::vector<events::NewEvent> out;
  out.reserve(diff.changes.size());
  for (const ScanChange& change : diff.changes) {
    boost::json::object data{
        {"event.category", "network"}, {"event.action", to_string(change.action)},
        {"event.module", "scanner"},   {"destination.ip", change.address.to_string()},
        {"scan.id", diff.id},          {"message", message_of(change)}};
    if (diff.previous_id) data["scan.previous_id"] = *diff.previous_id;
    if (change.port) {
      data["destination.port"] = *change.port;
      data["network.transport"] = to_string(change.protocol);
    }
    if (std::string name = service_name(change); !name.empty()) data["service.name"] = name;
    if (change.before && !change.before->version.empty()) {
      data["service.previous_version"] = change.before->version;
    }
    if (change.after && !change.after->version.empty()) {
      data["service.version"] = change.after->version;
    }
    out.push_back(events::NewEvent{.agent_id = "",
                                   .seq = std::nullopt,
                                   .time_ms = time_ms,
                                   .type = std::string(kScanChangeEvent),
                                   .data_json = boost::json::serialize(data)});
  }
  return out;
}

std::string event_message(const events::StoredEvent& event) {
  // The stored data is a JSON object we wrote; it is embedded as it is.
  return fmt::format(
      R"({{"type":"event","event":{{"id":{},"agent_id":{},"seq":null,"time":{},"type":{},"data":{}}}}})",
      event.id, boost::json::serialize(boost::json::value(event.agent_id)), event.time_ms,
      boost::json::serialize(boost::json::value(event.type)), event.data_json);
}

}  // namespace sentinel::scanner
