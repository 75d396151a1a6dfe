#include "agent/firewall/firewall_events.h"

#include <fmt/format.h>

namespace sentinel::agent::firewall {
namespace {

boost::json::object common(std::string_view action) {
  return boost::json::object{
      {"event.module", "firewall"}, {"event.category", "configuration"}, {"event.action", action}};
}

}  // namespace

boost::json::object rolled_back_event(const RollBack& rolled_back) {
  boost::json::object event = common(kRolledBackAction);
  event["firewall.version"] = rolled_back.abandoned_version;
  if (rolled_back.restored_version) {
    event["firewall.restored_version"] = *rolled_back.restored_version;
    event["message"] = fmt::format(
        "firewall policy version {} was not confirmed by the server in time; version {} restored",
        rolled_back.abandoned_version, *rolled_back.restored_version);
  } else {
    event["message"] = fmt::format(
        "firewall policy version {} was not confirmed by the server in time; no version was "
        "ever confirmed, so table inet sentinel was deleted",
        rolled_back.abandoned_version);
  }
  return event;
}

boost::json::object drift_event(const Drift& drift) {
  boost::json::object event = common(kDriftAction);
  event["firewall.drift.kind"] = to_string(drift.kind);
  event["firewall.version"] = drift.restored_version;
  event["firewall.listing_hash.found"] = drift.found.hash;
  event["firewall.listing_hash.expected"] = drift.expected.hash;
  event["message"] =
      fmt::format("table inet sentinel was changed from outside ({}); version {} restored",
                  to_string(drift.kind), drift.restored_version);
  return event;
}

}  // namespace sentinel::agent::firewall
