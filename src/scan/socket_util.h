#pragma once
// Socket chores shared by the engine's scanners and detectors: socket addresses from our
// address type, the open-file budget, and closing without TIME_WAIT.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "sentinel/scan/ip_address.h"

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

}  // namespace sentinel::scan
