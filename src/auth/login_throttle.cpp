#include "login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <iterator>

#include "sentinel/store/login_throttle_repository.h"

namespace sentinel::auth {

std::string LoginThrottle::account_key(std::string_view username) {
  std::string key = "account:";
  for (unsigned char c : username.substr(0, 128)) key += static_cast<char>(std::tolower(c));
  return key;
}

std::string LoginThrottle::source_key(std::string_view address) {
  const std::string text(address.substr(0, 128));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return "source:" + text;
  char out[INET6_ADDRSTRLEN] = {};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    // A dual-stack listener reports IPv4 clients so: the same client as "a.b.c.d".
    ::inet_ntop(AF_INET, &v6.s6_addr[12], out, sizeof out);
    return "source:" + std::string(out);
  }
  // One IPv6 host usually holds a whole /64 and may send from any address in it.
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
  ::inet_ntop(AF_INET6, &v6, out, sizeof out);
  return "source:" + std::string(out) + "/64";
}

Result<std::int64_t> LoginThrottle::seconds_locked(store::Connection& connection,
                                                   const std::vector<std::string>& keys) const {
  store::LoginThrottleRepository repository(connection);
  const std::int64_t now = clock_.now_ms();
  std::int64_t remaining_ms = 0;
  for (const auto& key : keys) {
    SENTINEL_ASSIGN(state, repository.find(key));
    if (state) remaining_ms = std::max(remaining_ms, state->locked_until_ms - now);
  }
  return (remaining_ms + 999) / 1000;
}

Status LoginThrottle::record_failure(store::Connection& connection,
                                     const std::vector<std::string>& keys) const {
  store::LoginThrottleRepository repository(connection);
  const std::int64_t now = clock_.now_ms();
  for (const auto& key : keys) {
    SENTINEL_ASSIGN(state, repository.add_failure(key, now, now - config_.lockout_window_ms));
    const std::int64_t over = state.failures - config_.lockout_threshold;
    if (over < 0) continue;
    const std::int64_t lock_s =
        over >= 20
            ? config_.lockout_max_seconds
            : std::min<std::int64_t>(config_.lockout_base_seconds * (std::int64_t{1} << over),
                                     config_.lockout_max_seconds);
    SENTINEL_TRY(repository.lock_until(key, now + lock_s * 1000));
  }
  return ok();
}

Status LoginThrottle::clear(store::Connection& connection, std::string_view key) const {
  return store::LoginThrottleRepository(connection).clear(key);
}

}  // namespace sentinel::auth
