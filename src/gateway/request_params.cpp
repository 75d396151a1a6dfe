#include "sentinel/gateway/request_params.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

namespace sentinel::gateway {

auth::ClientInfo client_of(const Request& request) {
  return {request.remote_address, std::string(request.header("user-agent"))};
}

Result<std::int64_t> positive_path_id(const Request& request, std::string_view what,
                                      std::string_view name) {
  const std::string_view text = request.path_param(name);
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id < 1) {
    return not_found(fmt::format("No such {}.", what));
  }
  return id;
}

}  // namespace sentinel::gateway
