#include "port_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "sentinel/common/text.h"

namespace sentinel::scanner {
namespace {

constexpr std::string_view kField = "ports";
constexpr std::string_view kTop = "top";
constexpr std::size_t kMaxSpecLength = 4096;

// The N of "topN", nullopt when the entry is not of that form.
std::optional<Result<int>> top_count(std::string_view entry) {
  if (!entry.starts_with(kTop)) return std::nullopt;
  const std::string_view digits = entry.substr(kTop.size());
  int count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || count < 1 ||
      count > 65535) {
    return Result<int>(invalid_argument(
        "field 'ports': \"top\" must be followed by a count from 1 to 65535 (top100, U:top20)",
        std::string(kField)));
  }
  return Result<int>(count);
}

Result<scan::PortList> parse_list(std::string_view spec) {
  return scan::PortList::parse(spec, scan::Protocol::kTcp, kField);
}

/// A spec with its topN entries taken out: each with the protocol it stands in (TCP before any
/// prefix, as for ports), and the other entries as a list with each one's protocol written out.
struct SplitSpec {
  std::vector<std::pair<scan::Protocol, int>> tops;
  std::string list;
};

Result<SplitSpec> split_tops(std::string_view spec) {
  SplitSpec out;
  scan::Protocol protocol = scan::Protocol::kTcp;
  std::string_view rest = spec;
  while (true) {
    const auto comma = rest.find(',');
    std::string_view entry = trim_blanks(rest.substr(0, comma));
    if (entry.size() >= 2 && entry[1] == ':' && (entry[0] == 'T' || entry[0] == 'U')) {
      protocol = entry[0] == 'T' ? scan::Protocol::kTcp : scan::Protocol::kUdp;
      entry.remove_prefix(2);
    }
    if (auto count = top_count(entry)) {
      if (!*count) return count->error();
      out.tops.emplace_back(protocol, **count);
    } else {
      if (!out.list.empty()) out.list += ',';
      out.list += protocol == scan::Protocol::kTcp ? "T:" : "U:";
      out.list += entry;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

void merge_into(std::vector<std::uint16_t>& ports, const std::vector<std::uint16_t>& more) {
  ports.insert(ports.end(), more.begin(), more.end());
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
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
  SENTINEL_ASSIGN(split, split_tops(spec));
  // Without a topN entry the list is checked as written, so that its errors quote it.
  if (split.tops.empty()) {
    SENTINEL_TRY(parse_list(spec));
  } else if (!split.list.empty()) {
    SENTINEL_TRY(parse_list(split.list));
  }
  return ok();
}

Result<scan::PortList> expand_port_spec(std::string_view spec) {
  SENTINEL_TRY(check_port_spec(spec));
  if (spec == "all") return parse_list("1-65535");
  SENTINEL_ASSIGN(split, split_tops(spec));
  if (split.tops.empty()) return parse_list(spec);
  scan::PortList ports;
  if (!split.list.empty()) {
    SENTINEL_ASSIGN(listed, parse_list(split.list));
    ports = std::move(listed);
  }
  for (const auto& [protocol, count] : split.tops) {
    SENTINEL_ASSIGN(top, scan::top_ports(count, protocol));
    merge_into(ports.tcp, top.tcp);
    merge_into(ports.udp, top.udp);
  }
  return ports;
}

}  // namespace sentinel::scanner
