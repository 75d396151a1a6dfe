#include "tests/support/free_port.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentinel::test {

Result<int> free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return internal_error(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  if (rc == 0) rc = getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  if (rc != 0) return internal_error(fmt::format("probe port: {}", std::strerror(errno)));
  return static_cast<int>(ntohs(address.sin_port));
}

}  // namespace sentinel::test
