#include "tests/support/tiny_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentinel::test {
namespace {

constexpr int kPollMs = 20;

// Reads until the end of the request head, or gives up after two seconds.
std::string read_head(int connection) {
  std::string head;
  char buffer[4096];
  for (int waited = 0; waited < 2000 && head.find("\r\n\r\n") == std::string::npos;) {
    pollfd poll_fd{connection, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, kPollMs);
    if (ready == 0) {
      waited += kPollMs;
      continue;
    }
    if (ready < 0) break;
    const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    head.append(buffer, static_cast<std::size_t>(got));
    if (head.size() > (64 << 10)) break;
  }
  return head;
}

void send_all(int connection, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(connection, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
}

}  // namespace

Result<std::unique_ptr<TinyHttpServer>> TinyHttpServer::start() {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return internal_error(std::string("socket: ") + std::strerror(errno));
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 16) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    ::close(listener);
    return internal_error("tiny http server: " + error);
  }
  return std::unique_ptr<TinyHttpServer>(new TinyHttpServer(listener, ntohs(address.sin_port)));
}

TinyHttpServer::TinyHttpServer(int listener, std::uint16_t port)
    : listener_(listener), port_(port), thread_([this] { serve(); }) {}

TinyHttpServer::~TinyHttpServer() {
  stopping_ = true;
  thread_.join();
  ::close(listener_);
  std::lock_guard lock(mutex_);
  for (const int connection : hung_) ::close(connection);
}

std::string TinyHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void TinyHttpServer::set(const std::string& path, Reply reply) {
  std::lock_guard lock(mutex_);
  replies_[path] = std::move(reply);
}

void TinyHttpServer::set_text(const std::string& path, std::string body) {
  Reply reply;
  reply.headers = {{"Content-Type", "text/plain"}};
  reply.body = std::move(body);
  set(path, std::move(reply));
}

std::vector<std::string> TinyHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void TinyHttpServer::serve() {
  while (!stopping_) {
    pollfd poll_fd{listener_, POLLIN, 0};
    if (::poll(&poll_fd, 1, kPollMs) <= 0) continue;
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection >= 0) answer(connection);
  }
}

void TinyHttpServer::answer(int connection) {
  const std::string head = read_head(connection);
  // "GET /path HTTP/1.1"
  const std::size_t first_space = head.find(' ');
  const std::size_t second_space = head.find(' ', first_space + 1);
  const std::string target = first_space == std::string::npos || second_space == std::string::npos
                                 ? std::string()
                                 : head.substr(first_space + 1, second_space - first_space - 1);
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(target);
    const auto found = replies_.find(target);
    if (found == replies_.end()) {
      reply.status = 404;
      reply.reason = "Not Found";
      reply.body = "no such feed\n";
    } else {
      reply = found->second;
    }
    if (reply.hang) {
      hung_.push_back(connection);
      return;
    }
  }
  std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " " + reply.reason + "\r\n";
  for (const auto& [name, value] : reply.headers) response += name + ": " + value + "\r\n";
  response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  response += "Connection: close\r\n\r\n";
  response += reply.body;
  send_all(connection, response);
  ::close(connection);
}

}  // namespace sentinel::test
