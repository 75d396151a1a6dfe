#include "agent/collectors/process/tcp_table.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::process {
namespace {

constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr std::size_t kDumpBufferBytes = 64 * 1024;

IpAddress mapped_ipv4(const void* four_bytes) {
  IpAddress address{};
  std::memcpy(address.data(), kMappedPrefix, sizeof kMappedPrefix);
  std::memcpy(address.data() + 12, four_bytes, 4);
  return address;
}

// The inventory parser's inet_ntop text back into bytes.
std::optional<IpAddress> address_from_text(const std::string& text, bool ipv6) {
  if (!ipv6) {
    in_addr v4{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) != 1) return std::nullopt;
    return mapped_ipv4(&v4);
  }
  IpAddress address{};
  if (::inet_pton(AF_INET6, text.c_str(), address.data()) != 1) return std::nullopt;
  return address;
}

Error diag_error(std::string_view what, int error) {
  std::string message = "sock_diag: " + std::string(what) + ": " + std::strerror(error);
  if (error == EPROTONOSUPPORT || error == EAFNOSUPPORT || error == ENOENT || error == EOPNOTSUPP) {
    return unavailable(std::move(message));
  }
  if (error == EPERM || error == EACCES) return permission_denied(std::move(message));
  return internal_error(std::move(message));
}

}  // namespace

bool is_ipv4(const IpAddress& address) {
  return std::memcmp(address.data(), kMappedPrefix, sizeof kMappedPrefix) == 0;
}

bool is_unspecified(const IpAddress& address) {
  const auto zero = [](std::uint8_t byte) { return byte == 0; };
  if (std::all_of(address.begin(), address.end(), zero)) return true;
  return is_ipv4(address) && std::all_of(address.begin() + 12, address.end(), zero);
}

std::string address_text(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_ipv4(address)) {
    ::inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, address.data(), text, sizeof text);
  }
  return text;
}

Result<std::vector<TcpSocket>> parse_tcp_table(std::string_view text, bool ipv6) {
  SENTINEL_ASSIGN(entries, inventory::parse_proc_net(text, "tcp", ipv6));
  std::vector<TcpSocket> sockets;
  sockets.reserve(entries.size());
  for (const inventory::SocketEntry& entry : entries) {
    const auto local = address_from_text(entry.address, ipv6);
    const auto remote = address_from_text(entry.remote_address, ipv6);
    // The inventory parser produced this text from 32 hex digits at most, so it always parses
    // back; the ranges below are the kernel's, checked all the same.
    if (!local || !remote || entry.port > 0xFFFF || entry.remote_port > 0xFFFF ||
        entry.uid > 0xFFFFFFFF) {
      return invalid_argument(std::string("/proc/net/tcp") + (ipv6 ? "6" : "") +
                                  ": a row out of range (inode " + std::to_string(entry.inode) +
                                  ")",
                              "line");
    }
    sockets.push_back({*local, static_cast<std::uint16_t>(entry.port), *remote,
                       static_cast<std::uint16_t>(entry.remote_port), entry.state,
                       static_cast<std::uint32_t>(entry.uid), entry.inode});
  }
  return sockets;
}

Result<std::vector<TcpSocket>> read_proc_net_tcp(const std::filesystem::path& proc,
                                                 std::uint32_t state_mask) {
  std::vector<TcpSocket> wanted;
  for (const bool ipv6 : {false, true}) {
    auto text = inventory::read_file(proc / "net" / (ipv6 ? "tcp6" : "tcp"));
    if (!text) {
      if (ipv6 && text.error().code == ErrorCode::kNotFound) continue;  // IPv6 disabled
      return std::move(text).error();
    }
    SENTINEL_ASSIGN(sockets, parse_tcp_table(*text, ipv6));
    for (const TcpSocket& socket : sockets) {
      if (socket.state >= 0 && socket.state < 32 && (state_mask & (1u << socket.state)) != 0) {
        wanted.push_back(socket);
      }
    }
  }
  return wanted;
}

Result<SockDiag> SockDiag::open() {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return diag_error("socket", errno);
  SockDiag diag(fd);
  // The kernel always ends a dump; the timeout only bounds a wait that should never happen.
  const timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  diag.buffer_.resize(kDumpBufferBytes);
  return diag;
}

SockDiag::SockDiag(SockDiag&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      sequence_(other.sequence_),
      buffer_(std::move(other.buffer_)) {}

SockDiag& SockDiag::operator=(SockDiag&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    sequence_ = other.sequence_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

SockDiag::~SockDiag() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<TcpSocket>> SockDiag::dump(std::uint32_t state_mask) {
  std::vector<TcpSocket> sockets;
  SENTINEL_TRY(dump_family(AF_INET, state_mask, sockets));
  SENTINEL_TRY(dump_family(AF_INET6, state_mask, sockets));
  return sockets;
}

Status SockDiag::dump_family(int family, std::uint32_t state_mask,
                             std::vector<TcpSocket>& sockets) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = ++sequence_;
  message.request.sdiag_family = static_cast<std::uint8_t>(family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = state_mask;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  while (::sendto(fd_, &message, sizeof message, 0, reinterpret_cast<const sockaddr*>(&kernel),
                  sizeof kernel) < 0) {
    if (errno != EINTR) return diag_error("request", errno);
  }

  while (true) {
    sockaddr_nl sender{};
    socklen_t sender_size = sizeof sender;
    const ssize_t size = ::recvfrom(fd_, buffer_.data(), buffer_.size(), 0,
                                    reinterpret_cast<sockaddr*>(&sender), &sender_size);
    if (size < 0) {
      if (errno == EINTR) continue;
      return diag_error("receive", errno);
    }
    if (sender.nl_pid != 0) continue;  // only the kernel answers dumps
    const unsigned char* data = buffer_.data();
    auto remaining = static_cast<std::size_t>(size);
    while (remaining >= NLMSG_HDRLEN) {
      nlmsghdr header;
      std::memcpy(&header, data, sizeof header);
      if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > remaining) {
        return internal_error("sock_diag: a truncated message in the dump");
      }
      const unsigned char* body = data + NLMSG_HDRLEN;
      const std::size_t body_size = header.nlmsg_len - NLMSG_HDRLEN;
      const std::size_t advance = std::min<std::size_t>(NLMSG_ALIGN(header.nlmsg_len), remaining);
      data += advance;
      remaining -= advance;
      if (header.nlmsg_seq != sequence_) continue;  // a late answer to an abandoned request
      if (header.nlmsg_type == NLMSG_DONE) return ok();
      if (header.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr error{};
        if (body_size < sizeof error) return internal_error("sock_diag: a short error message");
        std::memcpy(&error, body, sizeof error);
        return diag_error(family == AF_INET ? "dump IPv4" : "dump IPv6", -error.error);
      }
      if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      inet_diag_msg entry;
      if (body_size < sizeof entry) return internal_error("sock_diag: a short socket record");
      std::memcpy(&entry, body, sizeof entry);
      TcpSocket socket;
      if (entry.idiag_family == AF_INET) {
        socket.local_address = mapped_ipv4(&entry.id.idiag_src[0]);
        socket.remote_address = mapped_ipv4(&entry.id.idiag_dst[0]);
      } else if (entry.idiag_family == AF_INET6) {
        std::memcpy(socket.local_address.data(), entry.id.idiag_src, 16);
        std::memcpy(socket.remote_address.data(), entry.id.idiag_dst, 16);
      } else {
        continue;
      }
      socket.local_port = ntohs(entry.id.idiag_sport);
      socket.remote_port = ntohs(entry.id.idiag_dport);
      socket.state = entry.idiag_state;
      socket.uid = entry.idiag_uid;
      socket.inode = entry.idiag_inode;
      sockets.push_back(socket);
    }
  }
}

}  // namespace sentinel::agent::process
