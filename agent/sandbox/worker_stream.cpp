#include "agent/sandbox/worker_stream.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

namespace sentinel::agent {
namespace {

namespace json = boost::json;

constexpr std::size_t kHeaderBytes = 4;

Error stream_error(std::string message, std::string reason) {
  return Error{ErrorCode::kUnavailable, std::move(message), std::move(reason), {}};
}

Error too_large(std::size_t size) {
  return Error{
      ErrorCode::kPayloadTooLarge,
      fmt::format("worker frame of {} bytes is larger than {}", size, kMaxWorkerFrameBytes),
      {},
      {}};
}

}  // namespace

Status write_frame(int fd, std::string_view payload) {
  if (payload.size() > kMaxWorkerFrameBytes) return too_large(payload.size());
  const auto size = static_cast<std::uint32_t>(payload.size());
  const unsigned char header[kHeaderBytes] = {
      static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
      static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
  std::string frame(reinterpret_cast<const char*>(header), kHeaderBytes);
  frame.append(payload);
  std::string_view left = frame;
  while (!left.empty()) {
    const ssize_t sent = ::send(fd, left.data(), left.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      return stream_error(fmt::format("worker stream: {}", std::strerror(errno)), "broken");
    }
    left.remove_prefix(static_cast<std::size_t>(sent));
  }
  return ok();
}

Result<std::string> read_frame(int fd, std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = timeout ? std::chrono::steady_clock::now() + *timeout
                                : std::chrono::steady_clock::time_point::max();
  // Reads exactly `size` bytes into `out`.
  const auto read_exactly = [&](char* out, std::size_t size, bool frame_start) -> Status {
    std::size_t done = 0;
    while (done < size) {
      int wait_ms = -1;
      if (timeout) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return stream_error("worker stream: no answer in time", "timeout");
        wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1000));
      }
      pollfd waiting{fd, POLLIN, 0};
      const int ready = ::poll(&waiting, 1, wait_ms);
      if (ready < 0 && errno != EINTR) {
        return stream_error(fmt::format("worker stream: {}", std::strerror(errno)), "broken");
      }
      if (ready <= 0) continue;
      const ssize_t n = ::read(fd, out + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return stream_error(fmt::format("worker stream: {}", std::strerror(errno)), "broken");
      }
      if (n == 0) {
        if (frame_start && done == 0) return stream_error("worker stream: closed", "closed");
        return stream_error("worker stream: closed inside a frame", "broken");
      }
      done += static_cast<std::size_t>(n);
    }
    return ok();
  };
  unsigned char header[kHeaderBytes];
  SENTINEL_TRY(read_exactly(reinterpret_cast<char*>(header), kHeaderBytes, true));
  const std::size_t size = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) |
                           (std::size_t{header[2]} << 8) | std::size_t{header[3]};
  if (size > kMaxWorkerFrameBytes) return too_large(size);
  std::string payload(size, '\0');
  SENTINEL_TRY(read_exactly(payload.data(), size, false));
  return payload;
}

std::string encode_response(const Result<json::object>& response) {
  if (response) return json::serialize(json::object{{"ok", true}, {"result", *response}});
  const Error& error = response.error();
  return json::serialize(json::object{{"ok", false},
                                      {"code", static_cast<std::int64_t>(error.code)},
                                      {"message", error.message},
                                      {"reason", error.reason},
                                      {"field", error.field}});
}

Result<json::object> decode_response(std::string_view payload, std::string_view worker) {
  boost::system::error_code ec;
  json::value value = json::parse(payload, ec);
  if (ec || !value.is_object()) {
    return internal_error(fmt::format("{} sent a malformed answer", worker));
  }
  json::object& object = value.as_object();
  const json::value* ok_value = object.if_contains("ok");
  if (ok_value == nullptr || !ok_value->is_bool()) {
    return internal_error(fmt::format("{} sent an answer without 'ok'", worker));
  }
  if (ok_value->as_bool()) {
    json::value* result = object.if_contains("result");
    if (result == nullptr || !result->is_object()) {
      return internal_error(fmt::format("{} sent an answer without 'result'", worker));
    }
    return std::move(result->as_object());
  }
  const json::value* code = object.if_contains("code");
  const json::value* message = object.if_contains("message");
  const json::value* reason = object.if_contains("reason");
  const json::value* field = object.if_contains("field");
  if (code == nullptr || !code->is_int64() || code->as_int64() < 0 ||
      code->as_int64() > static_cast<std::int64_t>(ErrorCode::kInternal) || message == nullptr ||
      !message->is_string() || reason == nullptr || !reason->is_string() || field == nullptr ||
      !field->is_string()) {
    return internal_error(fmt::format("{} sent a malformed error", worker));
  }
  // An error says something, even when the worker said nothing.
  std::string said(message->as_string());
  if (said.empty()) said = fmt::format("{} failed without saying why", worker);
  return Error{static_cast<ErrorCode>(code->as_int64()), std::move(said),
               std::string(reason->as_string()), std::string(field->as_string())};
}

}  // namespace sentinel::agent
