#pragma once
// Receiving a raw scan's answers: a cooked packet socket for one address family with a BPF
// filter and a TPACKET_V3 memory-mapped ring, so that thousands of answers cost no copy and no
// system call each.

#include <linux/filter.h>
#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Ring geometry: `blocks` blocks of `block_bytes`; a block is handed over when full or after
/// `block_timeout_ms` (which bounds how late an answer is seen).
struct PacketRingSize {
  std::uint32_t block_bytes = 1u << 16;
  /// Many small blocks rather than a few large ones: a block handed over by the timeout is
  /// used up however few packets it holds, and 64 of them give a busy reader 64 ms.
  std::uint32_t blocks = 64;
  std::uint32_t block_timeout_ms = 1;
};

/// An AF_PACKET socket receiving the incoming IPv4 or IPv6 packets of every interface that pass
/// `filter`, network header first. Needs CAP_NET_RAW. Owns the socket and the mapping; movable,
/// not copyable; used from one thread.
class PacketRing {
 public:
  /// Opens the socket, attaches the filter before binding (so that no unfiltered packet is
  /// queued) and maps the ring.
  static Result<PacketRing> open(AddressFamily family, std::span<const sock_filter> filter,
                                 PacketRingSize size = {});
  PacketRing(PacketRing&& other) noexcept;
  PacketRing& operator=(PacketRing&& other) noexcept;
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;
  ~PacketRing();

  /// The socket, readable (for epoll) when a block is ready.
  int fd() const { return fd_; }

  /// Calls `handle(std::span<const std::uint8_t>)` for each packet in the ready blocks and
  /// gives the blocks back to the kernel; returns the number of packets.
  template <typename Handler>
  std::size_t drain(Handler&& handle) {
    std::size_t packets = 0;
    while (true) {
      auto* block = reinterpret_cast<tpacket_block_desc*>(
          map_ + static_cast<std::size_t>(next_block_) * size_.block_bytes);
      // The kernel publishes a block by setting its status last; acquire pairs with that.
      if ((__atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) {
        return packets;
      }
      const auto* packet =
          reinterpret_cast<const std::uint8_t*>(block) + block->hdr.bh1.offset_to_first_pkt;
      for (std::uint32_t i = 0; i < block->hdr.bh1.num_pkts; ++i) {
        const auto* header = reinterpret_cast<const tpacket3_hdr*>(packet);
        handle(std::span<const std::uint8_t>(packet + header->tp_net, header->tp_snaplen));
        packet += header->tp_next_offset;
        ++packets;
      }
      __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
      next_block_ = (next_block_ + 1) % size_.blocks;
    }
  }

  /// Packets the kernel dropped because the ring was full, since the last call.
  std::uint64_t take_drops();

 private:
  PacketRing(int fd, std::uint8_t* map, PacketRingSize size) : fd_(fd), map_(map), size_(size) {}

  void close_all();

  int fd_ = -1;
  std::uint8_t* map_ = nullptr;
  PacketRingSize size_;
  std::uint32_t next_block_ = 0;
};

}  // namespace sentinel::scan
