// OpenSSH's side of the version exchange: its identification string at once, then, once the
// client has sent its own, the server's KEXINIT (the algorithm lists of OpenSSH 9.x as Debian
// builds it). The bed goes no further than key exchange: it reads and discards until the client
// gives up, as sshd does while waiting for a KEXDH_INIT that will not come.

#include <fmt/format.h>

#include "sentinel/common/crypto.h"
#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxIdentificationLine = 255;  // RFC 4253, 4.2
constexpr char kKexAlgorithms[] =
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
    "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-"
    "sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-"
    "sha256,kex-strict-s-v00@openssh.com";
constexpr char kHostKeyAlgorithms[] = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519";
constexpr char kCiphers[] =
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com";
constexpr char kMacs[] =
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
constexpr char kCompression[] = "none,zlib@openssh.com";
constexpr std::uint8_t kMessageKexInit = 20;

void put_u32(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

void put_name_list(std::string& out, std::string_view names) {
  put_u32(out, static_cast<std::uint32_t>(names.size()));
  out.append(names);
}

// An unencrypted SSH binary packet (RFC 4253, 6): length, padding length, payload, padding to a
// multiple of 8 with at least 4 random bytes.
std::string binary_packet(const std::string& payload) {
  std::size_t padding = 8 - (5 + payload.size()) % 8;
  if (padding < 4) padding += 8;
  std::string packet;
  put_u32(packet, static_cast<std::uint32_t>(1 + payload.size() + padding));
  packet.push_back(static_cast<char>(padding));
  packet += payload;
  packet += crypto::random_bytes(padding);
  return packet;
}

std::string kex_init() {
  std::string payload;
  payload.push_back(static_cast<char>(kMessageKexInit));
  payload += crypto::random_bytes(16);  // cookie
  put_name_list(payload, kKexAlgorithms);
  put_name_list(payload, kHostKeyAlgorithms);
  put_name_list(payload, kCiphers);  // client to server, then server to client
  put_name_list(payload, kCiphers);
  put_name_list(payload, kMacs);
  put_name_list(payload, kMacs);
  put_name_list(payload, kCompression);
  put_name_list(payload, kCompression);
  put_name_list(payload, "");  // languages
  put_name_list(payload, "");
  payload.push_back(0);  // first_kex_packet_follows
  put_u32(payload, 0);   // reserved
  return binary_packet(payload);
}

}  // namespace

boost::asio::awaitable<void> serve_ssh(Connection& connection, ServeContext context) {
  const bool greeted =
      co_await connection.write(fmt::format("SSH-2.0-{}\r\n", context.service.wire_version));
  if (!greeted) co_return;
  const auto line = co_await connection.read_line(kMaxIdentificationLine);
  if (!line) co_return;
  if (!line->starts_with("SSH-")) {
    // sshd accepts no other lines before the client's identification.
    co_await connection.write("Invalid SSH identification string.\r\n");
    co_return;
  }
  if (!line->starts_with("SSH-2.0-") && !line->starts_with("SSH-1.99-")) {
    co_await connection.write("Protocol major versions differ.\r\n");
    co_return;
  }
  const bool offered = co_await connection.write(kex_init());
  if (!offered) co_return;
  for (;;) {
    const bool more = co_await connection.read_more();
    if (!more) co_return;
    connection.buffered().clear();
  }
}

}  // namespace sentinel::scanbed
