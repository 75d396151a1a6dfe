#include "agent/collectors/logs/text_scan.h"

#include <arpa/inet.h>

#include <cstring>

namespace sentinel::agent::logs::scan {

bool is_ip(std::string_view text) {
  if (is_ipv4(text)) return true;
  // INET6_ADDRSTRLEN is 46 with its NUL; anything longer is not an address.
  if (text.size() < 2 || text.size() > 45 || text.find(':') == std::string_view::npos) {
    return false;
  }
  char buffer[46];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  unsigned char address[16];
  return ::inet_pton(AF_INET6, buffer, address) == 1;
}

}  // namespace sentinel::agent::logs::scan
