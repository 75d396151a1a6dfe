#pragma once
// Everything between a parsed request and its response that is not I/O: routing, authentication,
// permission and CSRF checks, handler errors, static portal files. Beast-free, so that it is unit
// tested and fuzzed under sanitizers.

#include <filesystem>
#include <optional>
#include <string>

#include "sentinel/auth/principal.h"
#include "sentinel/gateway/router.h"

namespace sentinel::gateway {

/// The cookie that carries the session id.
inline constexpr std::string_view kSessionCookie = "sentinel_session";

/// A response and the route pattern that produced it ("static" or "unmatched" otherwise), the
/// label for metrics.
struct Dispatched {
  Response response;
  std::string route;
};

/// Resolves the caller from the session cookie, else from `Authorization: Bearer`; may block.
Result<auth::Principal> authenticate(const Request& request, auth::Authenticator& authenticator);

/// What authenticate() would return, when the authenticator has it in memory; never blocks.
/// nullopt when authenticate() must run.
std::optional<auth::Principal> cached_caller(const Request& request,
                                             auth::Authenticator& authenticator);

/// Runs requests against a route table. Thread-safe; call it on a worker thread (it blocks).
class Dispatcher {
 public:
  /// `web_root` may be empty (no portal). `authenticator` must outlive the dispatcher.
  Dispatcher(Router router, auth::Authenticator& authenticator, std::filesystem::path web_root);

  /// Matches, authorises and runs `request`; never throws. HEAD is served as GET (the caller
  /// drops the body). Sets request.path_params and request.principal.
  Dispatched dispatch(Request& request) const;

  /// dispatch() without blocking, for the I/O thread: answers when the route has a quick handler,
  /// the caller is in the authenticator's memory and the quick handler answers; else nullopt, and
  /// dispatch() must run on a worker. Never throws.
  std::optional<Dispatched> dispatch_quick(Request& request) const;

  /// The route marked Route::long_running that `request` matches, whose dispatch() belongs on
  /// the long-running pool; nullptr for any other request. Only matches the table, so the I/O
  /// thread may ask. The route lives as long as the dispatcher.
  const Route* long_running(const Request& request) const;

  const Router& router() const { return router_; }

 private:
  Status authorize(const Route& route, Request& request) const;
  /// The checks on an authenticated `principal` (CSRF, 2FA enrolment, permission); on success
  /// sets request.principal.
  Status admit(const Route& route, Request& request, auth::Principal principal) const;
  Dispatched run(const Route& route, Request& request) const;

  Router router_;
  auth::Authenticator& authenticator_;
  std::filesystem::path web_root_;
};

}  // namespace sentinel::gateway
