// vsftpd as Debian configures it (local users only, no TLS): the "(vsFTPd 3.0.3)" greeting,
// USER/PASS always failing, FEAT, and "530 Please login" for everything else before login. Like
// vsftpd it hangs up after three failed logins.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxLoginFails = 3;  // vsftpd max_login_fails

std::string upper_verb(std::string_view line) {
  std::string verb(line.substr(0, line.find(' ')));
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return verb;
}

}  // namespace

boost::asio::awaitable<void> serve_ftp(Connection& connection, ServeContext context) {
  const bool greeted =
      co_await connection.write(fmt::format("220 {}\r\n", context.service.wire_version));
  if (!greeted) co_return;
  bool have_user = false;
  int failures = 0;
  for (;;) {
    const auto line = co_await connection.read_line(kMaxLine);
    if (!line) co_return;
    const std::string verb = upper_verb(*line);
    std::string reply;
    if (verb == "USER") {
      have_user = true;
      reply = "331 Please specify the password.\r\n";
    } else if (verb == "PASS") {
      if (!have_user) {
        reply = "503 Login with USER first.\r\n";
      } else {
        have_user = false;
        if (++failures >= kMaxLoginFails) {
          co_await connection.write("530 Login incorrect.\r\n");
          co_return;
        }
        reply = "530 Login incorrect.\r\n";
      }
    } else if (verb == "QUIT") {
      co_await connection.write("221 Goodbye.\r\n");
      co_return;
    } else if (verb == "FEAT") {
      reply =
          "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n"
          " UTF8\r\n211 End\r\n";
    } else if (verb == "OPTS") {
      reply = "200 Always in UTF8 mode.\r\n";
    } else {
      reply = "530 Please login with USER and PASS.\r\n";
    }
    const bool written = co_await connection.write(reply);
    if (!written) co_return;
  }
}

}  // namespace sentinel::scanbed
