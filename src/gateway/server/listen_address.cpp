#include "listen_address.h"

#include <fmt/format.h>

namespace sentinel::gateway {

Result<boost::asio::ip::tcp::endpoint> parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return invalid_argument("listen must be HOST:PORT", "listen");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535) {
    return invalid_argument(fmt::format("listen '{}': bad port", listen), "listen");
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return invalid_argument(fmt::format("listen '{}': bad address", listen), "listen");
  return boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port_text)));
}

}  // namespace sentinel::gateway
