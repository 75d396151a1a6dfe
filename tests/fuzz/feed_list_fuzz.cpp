// Parses arbitrary bytes as a threat-intel feed, plain and CSV (by name and by number), and
// checks what the server relies on: the networks are sorted, unique and no broader than the
// limits, every skipped line is counted, and the named problems stay within their cap and quote
// the feed as printable ASCII.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <tuple>

#include "sentinel/firewall/feed_list.h"

namespace {

using namespace sentinel::firewall;

void require(bool condition) {
  if (!condition) std::abort();
}

void check(std::string_view text, const FeedOptions& options) {
  auto parsed = parse_feed_list(text, options);
  if (!parsed) return;
  require(parsed->problems.size() <= options.max_reported);
  require(parsed->problems.size() <= parsed->skipped);
  // Messages are stored and answered as JSON: what they quote of the feed is printable ASCII.
  for (const FeedProblem& problem : parsed->problems) {
    for (const char c : problem.message) require(c >= 0x20 && c < 0x7f);
  }
  require(parsed->networks.size() <= options.max_entries);
  for (std::size_t i = 0; i < parsed->networks.size(); ++i) {
    const IpNetwork& network = parsed->networks[i];
    const int minimum =
        network.address.family == IpFamily::kV4 ? options.min_prefix_v4 : options.min_prefix_v6;
    require(network.prefix >= minimum);
    require(parse_ip_network(format_ip_network(network)).has_value());
    if (i > 0) {
      const IpNetwork& before = parsed->networks[i - 1];
      require(std::tuple(before.address.family, before.address.value, before.prefix) <
              std::tuple(network.address.family, network.address.value, network.prefix));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FeedOptions plain;
  plain.max_bytes = 1 << 20;
  plain.max_entries = 10000;
  plain.max_reported = 5;
  check(text, plain);
  FeedOptions named = plain;
  named.format = FeedFormat::kCsv;
  named.column = "dst_ip";
  check(text, named);
  FeedOptions numbered = named;
  numbered.column = "2";
  check(text, numbered);
  return 0;
}
