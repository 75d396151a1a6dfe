#include "sentinel/scan/port_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "nmap_data_file.h"
#include "nmap_services.h"
#include "sentinel/common/text.h"
#include "target_syntax.h"

namespace sentinel::scan {
namespace {

constexpr std::size_t kMaxListedProblems = 20;
constexpr std::uint32_t kMaxPort = 65535;

/// A port number 1..65535, or why not.
Result<std::uint32_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid_argument(fmt::format("{} is not a port number", quoted_piece(text)));
  }
  std::uint32_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  if (value == 0) return invalid_argument("port 0 cannot be scanned");
  if (value > kMaxPort) return invalid_argument(fmt::format("port {} is above 65535", value));
  return value;
}

/// One entry without protocol prefix: a port or a range, open ends allowed.
Result<std::pair<std::uint32_t, std::uint32_t>> parse_entry(std::string_view entry) {
  const auto dash = entry.find('-');
  if (dash == std::string_view::npos) {
    SENTINEL_ASSIGN(port, parse_port(entry));
    return std::pair{port, port};
  }
  if (entry.find('-', dash + 1) != std::string_view::npos) {
    return invalid_argument("a range has more than one '-'");
  }
  std::uint32_t first = 1;
  std::uint32_t last = kMaxPort;
  if (dash > 0) {
    SENTINEL_ASSIGN(start, parse_port(entry.substr(0, dash)));
    first = start;
  }
  if (dash + 1 < entry.size()) {
    SENTINEL_ASSIGN(end, parse_port(entry.substr(dash + 1)));
    last = end;
  }
  if (last < first) return invalid_argument("the range runs backwards");
  return std::pair{first, last};
}

/// Ports chosen so far, one flag per port number and protocol: a list of many ranges costs
/// no more memory than one.
struct PortFlags {
  std::vector<bool> tcp = std::vector<bool>(kMaxPort + 1, false);
  std::vector<bool> udp = std::vector<bool>(kMaxPort + 1, false);
};

std::vector<std::uint16_t> ports_of(const std::vector<bool>& flags) {
  std::vector<std::uint16_t> ports;
  for (std::uint32_t port = 1; port <= kMaxPort; ++port) {
    if (flags[port]) ports.push_back(static_cast<std::uint16_t>(port));
  }
  return ports;
}

/// Adds one list entry (`T:22`, `80-90`, `-`); a `T:`/`U:` prefix switches `protocol` for the
/// entries that follow.
Status add_entry(std::string_view entry, Protocol& protocol, PortFlags& flags) {
  if (entry.size() >= 2 && entry[1] == ':') {
    if (entry[0] != 'T' && entry[0] != 'U') {
      return invalid_argument("only the protocol prefixes T: and U: are supported");
    }
    protocol = entry[0] == 'T' ? Protocol::kTcp : Protocol::kUdp;
    entry.remove_prefix(2);
  }
  if (entry.empty()) return invalid_argument("the entry is empty");
  SENTINEL_ASSIGN(range, parse_entry(entry));
  auto& chosen = protocol == Protocol::kTcp ? flags.tcp : flags.udp;
  std::fill(chosen.begin() + range.first, chosen.begin() + range.second + 1, true);
  return ok();
}

void append_runs(std::string& out, const std::vector<std::uint16_t>& ports) {
  for (std::size_t i = 0; i < ports.size();) {
    std::size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) ++j;
    if (out.back() != ':') out += ',';
    out += j == i ? fmt::format("{}", ports[i]) : fmt::format("{}-{}", ports[i], ports[j]);
    i = j + 1;
  }
}

}  // namespace

Result<PortList> PortList::parse(std::string_view text, Protocol unprefixed,
                                 std::string_view field) {
  if (trim_blanks(text).empty()) return invalid_argument("no ports given", std::string(field));
  PortFlags flags;
  std::vector<std::string> problems;
  Protocol protocol = unprefixed;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view entry = trim_blanks(rest.substr(0, comma));
    if (auto added = add_entry(entry, protocol, flags); !added) {
      problems.push_back(
          fmt::format("port entry {}: {}", quoted_piece(entry), added.error().message));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (problems.size() == 1) return invalid_argument(problems[0], std::string(field));
  if (!problems.empty()) {
    std::string message = fmt::format("{} invalid port entries: ", problems.size());
    for (std::size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i) {
      message += (i > 0 ? "; " : "") + problems[i];
    }
    if (problems.size() > kMaxListedProblems) {
      message += fmt::format("; and {} more", problems.size() - kMaxListedProblems);
    }
    return invalid_argument(std::move(message), std::string(field));
  }
  return PortList{ports_of(flags.tcp), ports_of(flags.udp)};
}

std::string PortList::format() const {
  std::string out;
  if (!tcp.empty()) {
    out += "T:";
    append_runs(out, tcp);
  }
  if (!udp.empty()) {
    out += out.empty() ? "U:" : ",U:";
    append_runs(out, udp);
  }
  return out;
}

Result<PortList> top_ports(int count, Protocol protocol,
                           const std::filesystem::path& services_file) {
  if (count < 1 || count > static_cast<int>(kMaxPort)) {
    return invalid_argument(fmt::format("top ports count {} is not from 1 to 65535", count),
                            "top_ports");
  }
  // A file that cannot be read or is too large ranks nothing, like one without the protocol.
  const Result<std::string> text =
      read_nmap_data_file(services_file.string(), kMaxNmapServicesBytes);
  PortList list;
  (protocol == Protocol::kTcp ? list.tcp : list.udp) =
      top_ports_in(text ? std::string_view(*text) : std::string_view(),
                   static_cast<std::size_t>(count), protocol);
  return list;
}

}  // namespace sentinel::scan
