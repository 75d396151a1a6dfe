// The PostgreSQL postmaster's startup-packet handling: it says nothing first; it answers
// SSLRequest and GSSENCRequest with 'N' (no encryption configured), refuses unsupported protocol
// versions and startup packets without a user with a FATAL ErrorResponse, and refuses every
// login with "no pg_hba.conf entry". Bad lengths close the connection without a word, as the
// real server only logs them.

#include <fmt/format.h>

#include <map>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::uint32_t kMinStartupLength = 8;
constexpr std::uint32_t kMaxStartupLength = 10000;  // MAX_STARTUP_PACKET_LENGTH
constexpr std::uint32_t kCancelRequest = 80877102;
constexpr std::uint32_t kSslRequest = 80877103;
constexpr std::uint32_t kGssEncRequest = 80877104;

std::uint32_t get_u32(std::string_view bytes) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[0])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[3]));
}

void put_u32(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

std::string message(char type, const std::string& body) {
  std::string out(1, type);
  put_u32(out, static_cast<std::uint32_t>(body.size() + 4));
  return out + body;
}

struct Fatal {
  std::string_view code;
  std::string text;
  std::string_view file;
  int line = 0;
  std::string_view routine;
};

std::string error_response(const Fatal& fatal) {
  std::string body;
  const auto field = [&body](char type, std::string_view value) {
    body.push_back(type);
    body += value;
    body.push_back('\0');
  };
  field('S', "FATAL");
  field('V', "FATAL");
  field('C', fatal.code);
  field('M', fatal.text);
  field('F', fatal.file);
  field('L', std::to_string(fatal.line));
  field('R', fatal.routine);
  body.push_back('\0');
  return message('E', body);
}

// The "key\0value\0...\0" list of a protocol 3 startup packet; nullopt when malformed.
std::optional<std::map<std::string, std::string>> startup_parameters(std::string_view bytes) {
  std::map<std::string, std::string> parameters;
  if (bytes.empty() || bytes.back() != '\0') return std::nullopt;
  bytes.remove_suffix(1);
  while (!bytes.empty()) {
    const std::size_t key_end = bytes.find('\0');
    if (key_end == std::string_view::npos || key_end == 0) return std::nullopt;
    const std::size_t value_end = bytes.find('\0', key_end + 1);
    if (value_end == std::string_view::npos) return std::nullopt;
    parameters[std::string(bytes.substr(0, key_end))] =
        std::string(bytes.substr(key_end + 1, value_end - key_end - 1));
    bytes.remove_prefix(value_end + 1);
  }
  return parameters;
}

}  // namespace

boost::asio::awaitable<void> serve_postgresql(Connection& connection, ServeContext context) {
  const ServiceSpec& service = context.service;
  const bool modern = service.release == Release::kBookworm;  // 14: protocol 2 is gone
  bool ssl_answered = false;
  bool gss_answered = false;
  for (;;) {
    const bool have_length = co_await connection.read_at_least(4);
    if (!have_length) co_return;
    const std::uint32_t length = get_u32(connection.buffered());
    if (length < kMinStartupLength || length > kMaxStartupLength) co_return;
    const bool have_packet = co_await connection.read_at_least(length);
    if (!have_packet) co_return;
    const std::string packet = connection.consume(length);
    const std::uint32_t code = get_u32(std::string_view(packet).substr(4));
    if (code == kCancelRequest) co_return;
    if (code == kSslRequest && !ssl_answered) {
      ssl_answered = true;
      const bool answered = co_await connection.write("N");
      if (!answered) co_return;
      continue;
    }
    if (code == kGssEncRequest && !gss_answered) {
      gss_answered = true;
      const bool answered = co_await connection.write("N");
      if (!answered) co_return;
      continue;
    }
    const std::uint32_t major = code >> 16;
    const std::uint32_t minor = code & 0xffff;
    if (major != 3 && !(major == 2 && !modern)) {
      const std::string refusal = error_response(
          {"0A000",
           fmt::format("unsupported frontend protocol {}.{}: server supports {}.0 to 3.0", major,
                       minor, modern ? 3 : 2),
           "postmaster.c", service.source_line, "ProcessStartupPacket"});
      co_await connection.write(refusal);
      co_return;
    }
    const auto parameters = startup_parameters(std::string_view(packet).substr(8));
    if (!parameters) {
      const std::string refusal = error_response(
          {"08P01", "invalid startup packet layout: expected terminator as last byte",
           "postmaster.c", service.source_line + 74, "ProcessStartupPacket"});
      co_await connection.write(refusal);
      co_return;
    }
    const auto user = parameters->find("user");
    if (user == parameters->end() || user->second.empty()) {
      const std::string refusal =
          error_response({"28000", "no PostgreSQL user name specified in startup packet",
                          "postmaster.c", service.source_line + 117, "ProcessStartupPacket"});
      co_await connection.write(refusal);
      co_return;
    }
    if (minor > 0) {
      // Protocol 3.x newer than 3.0: the server names the newest minor version it speaks.
      std::string body;
      put_u32(body, 0);
      put_u32(body, 0);
      const bool negotiated = co_await connection.write(message('v', body));
      if (!negotiated) co_return;
    }
    const auto database = parameters->find("database");
    const std::string refusal = error_response(
        {"28000",
         fmt::format("no pg_hba.conf entry for host \"{}\", user \"{}\", database \"{}\", {}",
                     connection.remote_address(), user->second,
                     database == parameters->end() ? user->second : database->second,
                     modern ? "no encryption" : "SSL off"),
         "auth.c", modern ? 543 : 490, "ClientAuthentication"});
    co_await connection.write(refusal);
    co_return;
  }
}

}  // namespace sentinel::scanbed
