// Postfix smtpd with Debian's defaults and no TLS: the "ESMTP Postfix (Debian/GNU)" greeting,
// its EHLO capability list, relay refusal, its replies to unknown commands, the hang-up on HTTP
// commands (smtpd_forbidden_commands) and on too many errors (smtpd_hard_error_limit).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxLine = 2048;  // Postfix line_length_limit
constexpr int kHardErrorLimit = 20;

std::string upper_verb(std::string_view line) {
  std::string verb(line.substr(0, line.find(' ')));
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return verb;
}

std::string argument(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view rest = line.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return std::string(rest);
}

}  // namespace

boost::asio::awaitable<void> serve_smtp(Connection& connection, ServeContext context) {
  const std::string host(context.hostname);
  const bool greeted =
      co_await connection.write(fmt::format("220 {} {}\r\n", host, context.service.wire_version));
  if (!greeted) co_return;
  int errors = 0;
  bool have_sender = false;
  for (;;) {
    const auto line = co_await connection.read_line(kMaxLine);
    if (!line) co_return;
    const std::string verb = upper_verb(*line);
    const std::string arg = argument(*line);
    std::string reply;
    bool error = false;
    if (line->empty()) {
      reply = "500 5.5.2 Error: bad syntax\r\n";
      error = true;
    } else if (verb == "EHLO") {
      if (arg.empty()) {
        reply = "501 Syntax: EHLO hostname\r\n";
        error = true;
      } else {
        reply = fmt::format(
            "250-{}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
            "250 CHUNKING\r\n",
            host);
      }
    } else if (verb == "HELO") {
      error = arg.empty();
      reply = error ? "501 Syntax: HELO hostname\r\n" : fmt::format("250 {}\r\n", host);
    } else if (verb == "MAIL") {
      have_sender = true;
      reply = "250 2.1.0 Ok\r\n";
    } else if (verb == "RCPT") {
      error = true;
      reply = have_sender ? fmt::format("554 5.7.1 {}: Relay access denied\r\n",
                                        arg.substr(arg.find(':') + 1))
                          : "503 5.5.1 Error: need MAIL command\r\n";
    } else if (verb == "DATA" || verb == "BDAT") {
      error = true;
      reply = have_sender ? "554 5.5.1 Error: no valid recipients\r\n"
                          : "503 5.5.1 Error: need RCPT command\r\n";
    } else if (verb == "RSET") {
      have_sender = false;
      reply = "250 2.0.0 Ok\r\n";
    } else if (verb == "NOOP") {
      reply = "250 2.0.0 Ok\r\n";
    } else if (verb == "VRFY") {
      reply =
          arg.empty() ? "501 5.5.4 Syntax: VRFY address\r\n" : fmt::format("252 2.0.0 {}\r\n", arg);
    } else if (verb == "ETRN") {
      reply = "500 5.5.1 Error: no permission\r\n";
      error = true;
    } else if (verb == "AUTH") {
      reply = "503 5.5.1 Error: authentication not enabled\r\n";
      error = true;
    } else if (verb == "QUIT") {
      co_await connection.write("221 2.0.0 Bye\r\n");
      co_return;
    } else if (verb == "CONNECT" || verb == "GET" || verb == "POST") {
      co_await connection.write("221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
      co_return;
    } else if (verb == "STARTTLS") {
      reply = "502 5.5.1 Error: command not implemented\r\n";
      error = true;
    } else {
      reply = "502 5.5.2 Error: command not recognized\r\n";
      error = true;
    }
    if (error && ++errors >= kHardErrorLimit) {
      co_await connection.write(fmt::format("421 4.7.0 {} Error: too many errors\r\n", host));
      co_return;
    }
    const bool written = co_await connection.write(reply);
    if (!written) co_return;
  }
}

}  // namespace sentinel::scanbed
