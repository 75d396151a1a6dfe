#include "port_spec.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace sentinel::scanner {
namespace {

constexpr std::string_view kField = "ports";
constexpr std::string_view kTop = "top";
constexpr std::size_t kMaxSpecLength = 4096;

// The N of "topN", nullopt when the spec is not of that form.
std::optional<Result<int>> top_count(std::string_view spec) {
  if (!spec.starts_with(kTop)) return std::nullopt;
  const std::string_view digits = spec.substr(kTop.size());
  int count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || count < 1 ||
      count > 65535) {
    return Result<int>(invalid_argument(
        "field 'ports': \"top\" must be followed by a count from 1 to 65535 (top100, top1000)",
        std::string(kField)));
  }
  return Result<int>(count);
}

Result<scan::PortList> parse_list(std::string_view spec) {
  return scan::PortList::parse(spec, scan::Protocol::kTcp, kField);
}

}  // namespace

Status check_port_spec(std::string_view spec) {
  if (spec.empty()) {
    return invalid_argument("field 'ports' must not be empty", std::string(kField));
  }
  if (spec.size() > kMaxSpecLength) {
    return invalid_argument(
        fmt::format("field 'ports' is limited to {} characters", kMaxSpecLength),
        std::string(kField));
  }
  if (spec == "all") return ok();
  if (auto count = top_count(spec)) {
    if (!*count) return count->error();
    return ok();
  }
  SENTINEL_TRY(parse_list(spec));
  return ok();
}

Result<scan::PortList> expand_port_spec(std::string_view spec) {
  SENTINEL_TRY(check_port_spec(spec));
  if (spec == "all") return parse_list("1-65535");
  if (auto count = top_count(spec)) return scan::top_ports(**count, scan::Protocol::kTcp);
  return parse_list(spec);
}

}  // namespace sentinel::scanner
