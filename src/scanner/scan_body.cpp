#include "scan_body.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>

#include "port_spec.h"
#include "sentinel/gateway/http.h"

namespace sentinel::scanner {
namespace {

// A targets or exclude list: strings, each non-empty, short and free of control characters.
Result<std::vector<std::string>> target_list(const boost::json::object& fields,
                                             std::string_view key, bool required) {
  SENTINEL_ASSIGN(list, gateway::optional_string_list(fields, key));
  const std::string field(key);
  if (!list) {
    if (required) return invalid_argument(fmt::format("field '{}' is required", key), field);
    return std::vector<std::string>{};
  }
  if (required && list->empty()) {
    return invalid_argument(fmt::format("field '{}' must name at least one target", key), field);
  }
  if (list->size() > kMaxTargetEntries) {
    return invalid_argument(fmt::format("field '{}' holds {} entries, more than {}", key,
                                        list->size(), kMaxTargetEntries),
                            field);
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string& entry = (*list)[i];
    if (entry.empty()) {
      return invalid_argument(fmt::format("field '{}': entry {} is empty", key, i + 1), field);
    }
    if (entry.size() > kMaxTargetLength) {
      return invalid_argument(fmt::format("field '{}': entry {} is longer than {} characters", key,
                                          i + 1, kMaxTargetLength),
                              field);
    }
    for (const unsigned char c : entry) {
      if (c < 0x20 || c == 0x7f) {
        return invalid_argument(
            fmt::format("field '{}': entry {} holds a control character", key, i + 1), field);
      }
    }
  }
  return std::move(*list);
}

}  // namespace

Result<ScanRequest> parse_scan_request(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(
                              body, {"targets", "exclude", "ports", "profile", "confirm_large"}));
  ScanRequest request;
  SENTINEL_ASSIGN(targets, target_list(fields, "targets", true));
  SENTINEL_ASSIGN(exclude, target_list(fields, "exclude", false));
  request.targets = std::move(targets);
  request.exclude = std::move(exclude);

  SENTINEL_ASSIGN(ports, gateway::optional_string(fields, "ports"));
  if (ports) {
    SENTINEL_TRY(check_port_spec(*ports));
    request.ports = std::move(*ports);
  }
  SENTINEL_ASSIGN(profile, gateway::optional_string(fields, "profile"));
  if (profile) {
    request.profile = parse_scan_profile(*profile);
    if (!request.profile) {
      return invalid_argument("field 'profile' must be quick, standard or full", "profile");
    }
  }
  SENTINEL_ASSIGN(confirm_large, gateway::optional_bool(fields, "confirm_large"));
  request.confirm_large = confirm_large.value_or(false);
  return request;
}

}  // namespace sentinel::scanner
