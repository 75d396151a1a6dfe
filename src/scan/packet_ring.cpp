#include "packet_ring.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/ethernet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sentinel::scan {
namespace {

// A nominal frame size: TPACKET_V3 packs frames of any size into blocks, but the kernel checks
// the geometry against it.
constexpr std::uint32_t kFrameBytes = 2048;

Error socket_error(const char* what) {
  const int error = errno;
  if (error == EPERM || error == EACCES) {
    return permission_denied(
        fmt::format("{}: {} (raw scans need CAP_NET_RAW)", what, std::strerror(error)));
  }
  return internal_error(fmt::format("{}: {}", what, std::strerror(error)));
}

}  // namespace

Result<PacketRing> PacketRing::open(AddressFamily family, std::span<const sock_filter> filter,
                                    PacketRingSize size) {
  // Protocol 0 receives nothing until bind(), so the filter is in place before the first packet.
  const int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return socket_error("packet socket");
  PacketRing ring(fd, nullptr, size);  // closes fd on every early return

  const sock_fprog program{static_cast<unsigned short>(filter.size()),
                           const_cast<sock_filter*>(filter.data())};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) != 0) {
    return socket_error("attaching the reply filter");
  }
  const int version = TPACKET_V3;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) != 0) {
    return socket_error("TPACKET_V3");
  }
  tpacket_req3 request{};
  request.tp_block_size = size.block_bytes;
  request.tp_block_nr = size.blocks;
  request.tp_frame_size = kFrameBytes;
  request.tp_frame_nr = size.block_bytes / kFrameBytes * size.blocks;
  request.tp_retire_blk_tov = size.block_timeout_ms;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &request, sizeof(request)) != 0) {
    return socket_error("packet ring");
  }
  const std::size_t bytes = static_cast<std::size_t>(size.block_bytes) * size.blocks;
  void* map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return socket_error("mapping the packet ring");
  ring.map_ = static_cast<std::uint8_t*>(map);

  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(family == AddressFamily::kIpv4 ? ETH_P_IP : ETH_P_IPV6);
  address.sll_ifindex = 0;  // every interface
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return socket_error("binding the packet socket");
  }
  return ring;
}

PacketRing::PacketRing(PacketRing&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      map_(std::exchange(other.map_, nullptr)),
      size_(other.size_),
      next_block_(other.next_block_) {}

PacketRing& PacketRing::operator=(PacketRing&& other) noexcept {
  if (this != &other) {
    close_all();
    fd_ = std::exchange(other.fd_, -1);
    map_ = std::exchange(other.map_, nullptr);
    size_ = other.size_;
    next_block_ = other.next_block_;
  }
  return *this;
}

PacketRing::~PacketRing() { close_all(); }

void PacketRing::close_all() {
  if (map_ != nullptr) {
    munmap(map_, static_cast<std::size_t>(size_.block_bytes) * size_.blocks);
    map_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

std::uint64_t PacketRing::take_drops() {
  tpacket_stats_v3 stats{};
  socklen_t length = sizeof(stats);
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &length) != 0) return 0;
  return stats.tp_drops;
}

}  // namespace sentinel::scan
