// Dovecot's pop3-login and imap-login processes before authentication: greetings, CAPA and
// CAPABILITY, failing logins, and the disconnect after too many bad commands. Plaintext logins
// are allowed because the clients come from loopback, which Dovecot treats as secure.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxLine = 8192;
constexpr int kMaxBadCommands = 10;
constexpr char kImapCapabilities[] =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Splits "word rest" at the first space.
std::pair<std::string, std::string> first_word(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {std::string(line), {}};
  return {std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

}  // namespace

boost::asio::awaitable<void> serve_pop3(Connection& connection, ServeContext context) {
  const bool greeted =
      co_await connection.write(fmt::format("+OK {}\r\n", context.service.wire_version));
  if (!greeted) co_return;
  int bad = 0;
  bool have_user = false;
  for (;;) {
    const auto line = co_await connection.read_line(kMaxLine);
    if (!line) co_return;
    const auto words = first_word(*line);
    const std::string& rest = words.second;
    const std::string command = upper(words.first);
    std::string reply;
    if (command == "CAPA") {
      reply =
          "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
          "SASL PLAIN\r\n.\r\n";
    } else if (command == "USER") {
      have_user = !rest.empty();
      reply = have_user ? "+OK\r\n" : "-ERR USER: Missing parameter.\r\n";
    } else if (command == "PASS") {
      reply = have_user ? "-ERR [AUTH] Authentication failed.\r\n" : "-ERR No username given.\r\n";
      have_user = false;
    } else if (command == "AUTH") {
      reply = rest.empty() ? "+OK\r\nPLAIN\r\n.\r\n" : "-ERR [AUTH] Authentication failed.\r\n";
    } else if (command == "QUIT") {
      co_await connection.write("+OK Logging out\r\n");
      co_return;
    } else if (command == "NOOP") {
      reply = "+OK\r\n";
    } else {
      if (++bad >= kMaxBadCommands) {
        co_await connection.write("-ERR Too many bad commands.\r\n");
        co_return;
      }
      reply = "-ERR Unknown command.\r\n";
    }
    const bool written = co_await connection.write(reply);
    if (!written) co_return;
  }
}

boost::asio::awaitable<void> serve_imap(Connection& connection, ServeContext context) {
  const bool greeted = co_await connection.write(
      fmt::format("* OK [CAPABILITY {}] {}\r\n", kImapCapabilities, context.service.wire_version));
  if (!greeted) co_return;
  int bad = 0;
  for (;;) {
    const auto line = co_await connection.read_line(kMaxLine);
    if (!line) co_return;
    const auto tagged = first_word(*line);
    const std::string& tag = tagged.first;
    const std::string word = first_word(tagged.second).first;
    const std::string command = upper(word);
    std::string reply;
    if (tag.empty() || word.empty()) {
      reply = "* BAD Error in IMAP command received by server.\r\n";
      ++bad;
    } else if (command == "CAPABILITY") {
      reply = fmt::format(
          "* CAPABILITY {}\r\n{} OK Pre-login capabilities listed, post-login capabilities have "
          "more.\r\n",
          kImapCapabilities, tag);
    } else if (command == "NOOP") {
      reply = fmt::format("{} OK NOOP completed.\r\n", tag);
    } else if (command == "ID") {
      reply = fmt::format("* ID (\"name\" \"Dovecot\")\r\n{} OK ID completed.\r\n", tag);
    } else if (command == "LOGIN" || command == "AUTHENTICATE") {
      reply = fmt::format("{} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", tag);
    } else if (command == "STARTTLS") {
      reply = fmt::format("{} BAD TLS support isn't enabled.\r\n", tag);
    } else if (command == "LOGOUT") {
      co_await connection.write(
          fmt::format("* BYE Logging out\r\n{} OK Logout completed.\r\n", tag));
      co_return;
    } else {
      reply = fmt::format("{} BAD Error in IMAP command {}: Unknown command.\r\n", tag, word);
      ++bad;
    }
    if (bad >= kMaxBadCommands) {
      co_await connection.write("* BYE Too many invalid IMAP commands.\r\n");
      co_return;
    }
    const bool written = co_await connection.write(reply);
    if (!written) co_return;
  }
}

}  // namespace sentinel::scanbed
