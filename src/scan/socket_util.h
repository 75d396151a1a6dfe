#pragma once
// Socket chores shared by the engine's scanners and detectors: socket addresses from our
// address type, the open-file budget, closing without TIME_WAIT, resource shortages and
// waiting on epoll with a fine timeout.

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// Fills `storage` with the socket address of (address, port); returns its length.
socklen_t to_sockaddr(IpAddress address, std::uint16_t port, sockaddr_storage& storage);

/// How many sockets one scan may hold at once: the soft open-file limit minus a reserve for the
/// rest of the process (an eighth, at least 64). With `raise` the soft limit is first raised to
/// the hard one.
std::size_t socket_budget(bool raise);

/// Closes a socket with a reset instead of a FIN: no TIME_WAIT on our side, so a large scan does
/// not tie up local ports, and the service frees the connection at once (as with nmap).
void close_abortively(int fd);

/// Whether a socket(), connect() or send() error means "try this probe again later": the machine
/// is short of sockets, memory, buffers or local ports, which says nothing about the target.
bool is_resource_shortage(int error);

/// Waits on `epoll_fd` like epoll_wait: with epoll_pwait2 for microsecond timeouts, or, where
/// the kernel or a seccomp filter lacks it (`have_pwait2` then turns false for the next calls),
/// epoll_wait with the timeout rounded up to milliseconds and capped at a second.
int wait_for_events(int epoll_fd, epoll_event* events, int max_events, Duration wait,
                    bool& have_pwait2);

}  // namespace sentinel::scan
