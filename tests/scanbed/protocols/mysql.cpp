// The MySQL / MariaDB server greeting (HandshakeV10) and the error that follows any login: the
// bed accepts no credentials. Packets out of sequence get the error each server sends for them.

#include <fmt/format.h>

#include "sentinel/common/crypto.h"
#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxPacket = 16 * 1024;
constexpr std::uint8_t kProtocolVersion = 10;

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>(value >> 8));
}

void put_u32(std::string& out, std::uint32_t value) {
  put_u16(out, static_cast<std::uint16_t>(value & 0xffff));
  put_u16(out, static_cast<std::uint16_t>(value >> 16));
}

std::string packet(std::uint8_t sequence, const std::string& payload) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  out.push_back(static_cast<char>(sequence));
  return out + payload;
}

// The scramble: printable, never NUL (both servers draw it that way).
std::string scramble(std::size_t length) {
  std::string bytes = crypto::random_bytes(length);
  for (char& c : bytes) c = static_cast<char>(0x21 + static_cast<unsigned char>(c) % 0x5e);
  return bytes;
}

std::string greeting(const ServiceSpec& service, std::uint32_t thread_id) {
  const bool mariadb = service.software == Software::kMariaDb;
  const std::string salt = scramble(20);
  std::string payload;
  payload.push_back(static_cast<char>(kProtocolVersion));
  payload += service.wire_version;
  payload.push_back('\0');
  put_u32(payload, thread_id);
  payload += salt.substr(0, 8);
  payload.push_back('\0');
  // Capabilities (low, then high 16 bits), collation and status as each server announces them.
  put_u16(payload, mariadb ? 0xf7fe : 0xffff);
  payload.push_back(static_cast<char>(mariadb ? 45 : 255));  // utf8mb4_general_ci / _0900_ai_ci
  put_u16(payload, 0x0002);                                  // SERVER_STATUS_AUTOCOMMIT
  put_u16(payload, mariadb ? 0x81ff : 0xdfff);
  payload.push_back(21);  // length of the whole scramble plus its NUL
  if (mariadb) {
    payload.append(6, '\0');
    put_u32(payload, 0x0000001d);  // MariaDB's extended capabilities
  } else {
    payload.append(10, '\0');
  }
  payload += salt.substr(8);
  payload.push_back('\0');
  payload += mariadb ? "mysql_native_password" : "caching_sha2_password";
  payload.push_back('\0');
  return packet(0, payload);
}

std::string error_packet(std::uint8_t sequence, std::uint16_t code, std::string_view state,
                         std::string_view message) {
  std::string payload;
  payload.push_back(static_cast<char>(0xff));
  put_u16(payload, code);
  payload.push_back('#');
  payload += state;
  payload += message;
  return packet(sequence, payload);
}

// The user name of a HandshakeResponse41: after capabilities (4), max packet (4), collation (1)
// and 23 reserved bytes.
std::string user_of(std::string_view payload) {
  constexpr std::size_t kUserOffset = 32;
  if (payload.size() <= kUserOffset) return {};
  const std::string_view rest = payload.substr(kUserOffset);
  return std::string(rest.substr(0, rest.find('\0')));
}

}  // namespace

boost::asio::awaitable<void> serve_mysql(Connection& connection, ServeContext context) {
  const ServiceSpec& service = context.service;
  const bool mariadb = service.software == Software::kMariaDb;
  // A server numbers its connections; a random number in the range a busy server reaches will do.
  const std::string id_bytes = crypto::random_bytes(2);
  const std::uint32_t thread_id =
      8 + (static_cast<unsigned char>(id_bytes[0]) << 8 | static_cast<unsigned char>(id_bytes[1]));
  const std::string hello = greeting(service, thread_id);
  const bool sent = co_await connection.write(hello);
  if (!sent) co_return;
  const bool have_header = co_await connection.read_at_least(4);
  if (!have_header) co_return;
  const std::string& head = connection.buffered();
  const std::size_t length = static_cast<unsigned char>(head[0]) |
                             static_cast<unsigned char>(head[1]) << 8 |
                             static_cast<std::size_t>(static_cast<unsigned char>(head[2])) << 16;
  const auto sequence = static_cast<std::uint8_t>(head[3]);
  if (sequence != 1) {
    const std::string refusal = mariadb
                                    ? error_packet(1, 1043, "08S01", "Bad handshake")
                                    : error_packet(1, 1156, "08S01", "Got packets out of order");
    co_await connection.write(refusal);
    co_return;
  }
  if (length > kMaxPacket) co_return;
  const bool have_packet = co_await connection.read_at_least(4 + length);
  if (!have_packet) co_return;
  const std::string payload = connection.consume(4 + length).substr(4);
  const std::string user = user_of(payload);
  const std::string denied =
      error_packet(2, 1045, "28000",
                   fmt::format("Access denied for user '{}'@'localhost' (using password: {})", user,
                               payload.size() > 32 + user.size() + 2 ? "YES" : "NO"));
  co_await connection.write(denied);
}

}  // namespace sentinel::scanbed
