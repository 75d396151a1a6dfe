#pragma once
// HOST:PORT of a listener, as the config gives it, to an Asio endpoint. Shared by the HTTPS
// listener and the agent channel listener.

#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "sentinel/common/result.h"

namespace sentinel::gateway {

/// "127.0.0.1:8443", "[::1]:0", "localhost:8444" (= 127.0.0.1); kInvalidArgument naming `listen`.
Result<boost::asio::ip::tcp::endpoint> parse_listen(const std::string& listen);

}  // namespace sentinel::gateway
