// The addresses told to agents: the API URL in the enrolment command, hosts of URLs.

#include <unistd.h>

#include <string>

#include "sentinel/agents/enrollment.h"

namespace sentinel::agents {
namespace {

std::string machine_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

std::string agent_server_url(std::string_view public_url, std::string_view gateway_address) {
  if (!public_url.empty()) {
    while (public_url.size() > 1 && public_url.back() == '/') public_url.remove_suffix(1);
    return std::string(public_url);
  }
  const std::size_t colon = gateway_address.rfind(':');
  std::string_view host = gateway_address.substr(0, colon);
  const std::string_view port =
      colon == std::string_view::npos ? std::string_view() : gateway_address.substr(colon + 1);
  // A wildcard listener is reachable under the machine's name, not under its literal address.
  std::string authority = host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::"
                              ? machine_hostname()
                              : std::string(host);
  if (!port.empty()) authority += ":" + std::string(port);
  return "https://" + authority;
}

std::string url_host(std::string_view url) {
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, url.find_first_of("/?#"));
  if (const std::size_t at = url.rfind('@'); at != std::string_view::npos)
    url.remove_prefix(at + 1);
  if (!url.empty() && url.front() == '[') {
    const std::size_t close = url.find(']');
    return close == std::string_view::npos ? std::string() : std::string(url.substr(1, close - 1));
  }
  return std::string(url.substr(0, url.find(':')));
}

}  // namespace sentinel::agents
