#include "socket_util.h"

#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace sentinel::scan {
namespace {

// Descriptors left for the rest of the process (database, listeners, logs) however low the
// limit is.
constexpr rlim_t kMinReservedFds = 64;

}  // namespace

socklen_t to_sockaddr(IpAddress address, std::uint16_t port, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof(storage));
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(static_cast<std::uint32_t>(address.value()));
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::uint8_t bytes[16];
  address.to_bytes(bytes);
  std::memcpy(in6->sin6_addr.s6_addr, bytes, sizeof(bytes));
  return sizeof(sockaddr_in6);
}

std::size_t socket_budget(bool raise) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 256;
  if (raise && limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const rlim_t soft = limit.rlim_cur == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_cur;
  const rlim_t reserve = std::max(kMinReservedFds, soft / 8);
  return soft > 2 * reserve ? static_cast<std::size_t>(soft - reserve)
                            : static_cast<std::size_t>(std::max<rlim_t>(soft / 2, 1));
}

void close_abortively(int fd) {
  const linger abort{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  close(fd);
}

bool is_resource_shortage(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM ||
         error == EADDRNOTAVAIL || error == EAGAIN;
}

int wait_for_events(int epoll_fd, epoll_event* events, int max_events, Duration wait,
                    bool& have_pwait2) {
  if (have_pwait2) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
    const timespec timeout{static_cast<time_t>(seconds.count()),
                           static_cast<long>((wait - seconds).count() * 1000)};
    const int ready = epoll_pwait2(epoll_fd, events, max_events, &timeout, nullptr);
    if (ready >= 0 || errno != ENOSYS) return ready;
    have_pwait2 = false;
  }
  const auto milliseconds = (wait.count() + 999) / 1000;
  return epoll_wait(epoll_fd, events, max_events,
                    static_cast<int>(std::min<Duration::rep>(milliseconds, 1000)));
}

}  // namespace sentinel::scan
