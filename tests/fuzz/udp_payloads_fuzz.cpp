// UDP payload files (nmap's `nmap-payloads` format) on arbitrary bytes: every problem has a line
// inside the text and a reason, the caps hold (every payload the table keeps is looked up), and
// lookups and set() never crash.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sentinel/scan/udp_payloads.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sentinel::scan::UdpPayloads table = sentinel::scan::UdpPayloads::parse(text, "fuzz");
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (table.problems().size() > 101) std::abort();
  for (const auto& problem : table.problems()) {
    if (problem.line < 1 || problem.line > lines || problem.reason.empty()) std::abort();
  }
  const auto check = [&](std::uint16_t port) {
    for (const std::string_view payload : table.for_port(port)) {
      if (payload.size() > 2048) std::abort();
    }
  };
  // Every number in the text: a kept entry covers the first port of each item of its port list,
  // so this reaches every payload the table holds (a sweep of ports 0-1024 reached only those of
  // low ports, and took most of the time of a run on a short input). Both ends and a few
  // arbitrary ports too.
  for (std::size_t i = 0; i < size;) {
    if (data[i] < '0' || data[i] > '9') {
      ++i;
      continue;
    }
    std::uint32_t number = 0;
    for (; i < size && data[i] >= '0' && data[i] <= '9'; ++i) {
      number = std::min<std::uint32_t>(number * 10 + (data[i] - '0'), 65536);
    }
    if (number <= 65535) check(static_cast<std::uint16_t>(number));
  }
  check(1);
  check(65535);
  for (std::size_t i = 0; i + 1 < size && i < 64; i += 2) check((data[i] << 8) | data[i + 1]);
  if (!table.for_port(0).empty()) std::abort();
  if (table.payload_count() == 0 && table.port_count() != 0) std::abort();
  const auto first = table.for_port(53);
  table.set(53, {"replaced"});
  table.set(54, {});
  if (table.for_port(53).size() != 1 || !table.for_port(54).empty()) std::abort();
  for (const std::string_view payload : first) {
    if (payload.size() > 2048) std::abort();  // views stay readable after set()
  }
  return 0;
}
