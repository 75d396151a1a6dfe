#pragma once
// The protocol handlers: each serves one connection the way the emulated server does (greeting,
// answers to the commands a scanner sends, errors and disconnects for garbage) until the client
// leaves, the deadline passes or the read cap is reached. Texts are written from what these
// servers send on the wire, not copied from any scanner's fingerprint file.

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "tests/scanbed/bed_plan.h"
#include "tests/scanbed/connection.h"

namespace sentinel::scanbed {

/// What a handler knows about where it runs.
struct ServeContext {
  const ServiceSpec& service;
  std::string_view hostname;  // the host's name (SMTP greeting, ...)
};

boost::asio::awaitable<void> serve_ssh(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_http(Connection& connection, ServeContext context);
/// The answer of an HTTPS server (nginx or Apache) to plain HTTP sent to its TLS port.
boost::asio::awaitable<void> serve_plain_http_on_tls_port(Connection& connection,
                                                          ServeContext context);
boost::asio::awaitable<void> serve_smtp(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_ftp(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_pop3(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_imap(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_mysql(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_postgresql(Connection& connection, ServeContext context);
boost::asio::awaitable<void> serve_redis(Connection& connection, ServeContext context);

/// A hostile listener's behaviour (see Hostility).
boost::asio::awaitable<void> serve_hostile(Connection& connection, Hostility hostility);

}  // namespace sentinel::scanbed
