#pragma once
// The HTTPS client of the public REST API, used by sentinelctl and the integration tests.
// Beast-free: the transport lives in api_client.cpp.

#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::client {

/// Error reasons of transport failures that callers may want to tell apart.
inline constexpr std::string_view kTimedOut = "timeout";
inline constexpr std::string_view kConnectionClosed = "connection_closed";

/// TLS protocol versions the client can be limited to.
enum class TlsVersion { kTls12, kTls13 };

/// How to reach and trust the server, and who to be.
struct ClientOptions {
  /// https://HOST:PORT (IPv6 hosts in brackets); a trailing slash is ignored.
  std::string base_url = "https://127.0.0.1:8443";
  /// PEM file of the CA (or self-signed certificate) that the server's certificate must chain to.
  /// Empty: the system trust store.
  std::string ca_file;
  /// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of the server's certificate. When
  /// set, the server is trusted exactly when its certificate carries that key, whatever signed
  /// it (an agent's first contact: the pin comes inside the enrolment token). Overrides ca_file.
  std::string pinned_public_key_sha256;
  /// Skips certificate verification; for tests and first contact only.
  bool insecure = false;
  /// Lowest protocol version offered; TLS 1.3 unless a test lowers it.
  TlsVersion min_tls_version = TlsVersion::kTls13;
  /// Highest protocol version offered; unset means the newest supported.
  std::optional<TlsVersion> max_tls_version;
  /// Sent as `Authorization: Bearer ...` when not empty.
  Secret bearer_token;
  /// Limit on resolving, connecting and the TLS handshake together.
  std::chrono::milliseconds connect_timeout{30'000};
  /// Limit on writing one request and on reading one response.
  std::chrono::milliseconds io_timeout{30'000};
  std::string user_agent = "sentinel-client/0.1";
  /// Local address to connect from (e.g. "127.0.0.2"); empty: chosen by the system.
  std::string source_address;
};

/// Extra request headers, in order; they replace the client's own of the same name.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// The JSON error document of the API: {"error": {"code", "message", "field"?}}.
struct ApiError {
  std::string code;
  std::string message;
  std::string field;
};

/// One HTTP response. Non-2xx statuses are replies too, not Errors.
struct HttpReply {
  int status = 0;
  /// Header names in lower case; a name may repeat (set-cookie).
  std::multimap<std::string, std::string> headers;
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }
  /// The first value of header `name` (lower case), or "" when absent.
  std::string header(std::string_view name) const;
  /// Parses the body as JSON; kInvalidArgument saying why when it is not.
  Result<boost::json::value> json() const;
  /// The API error in the body, when the body is the JSON error document.
  std::optional<ApiError> api_error() const;
};

/// A synchronous HTTPS/1.1 client bound to one server. Reuses one keep-alive connection and
/// reconnects once when the server has closed an idle one. Keeps a cookie jar (Set-Cookie from
/// the server is sent back) and the CSRF token of the last login reply, sent as X-CSRF-Token on
/// state-changing requests. Transport failures (connect, TLS, timeout, closure) are Errors with
/// code kUnavailable; bad options are kInvalidArgument. Not thread-safe; movable.
class ApiClient {
 public:
  /// Validates the options and loads the trust anchors; connects lazily on the first request.
  static Result<ApiClient> create(ClientOptions options);

  ApiClient(ApiClient&&) noexcept;
  ApiClient& operator=(ApiClient&&) noexcept;
  ~ApiClient();

  /// Sends `method path` (path may carry a query) with an optional JSON body; returns the reply
  /// whatever its status.
  Result<HttpReply> request(std::string_view method, std::string_view path,
                            const std::optional<boost::json::value>& body = std::nullopt,
                            const Headers& headers = {});
  Result<HttpReply> get(std::string_view path, const Headers& headers = {});
  Result<HttpReply> post(std::string_view path);
  Result<HttpReply> post(std::string_view path, const boost::json::value& body,
                         const Headers& headers = {});
  Result<HttpReply> patch(std::string_view path, const boost::json::value& body,
                          const Headers& headers = {});
  Result<HttpReply> put(std::string_view path, const boost::json::value& body,
                        const Headers& headers = {});
  Result<HttpReply> del(std::string_view path, const Headers& headers = {});

  /// Writes `raw_http_bytes` unchanged over a new TLS connection and reads one response. When the
  /// server closes the connection without answering, the Error has reason kConnectionClosed.
  Result<HttpReply> send_raw(const std::string& raw_http_bytes);

  /// Replaces the bearer token (empty: none).
  void set_bearer_token(Secret token);
  /// The cookie `name` from the jar, if the server has set it.
  std::optional<Secret> cookie(std::string_view name) const;
  /// Sets cookie `name`; an empty value removes it.
  void set_cookie(std::string_view name, Secret value);
  /// The value of the Cookie header the client sends; empty when the jar is empty.
  Secret cookie_header() const;
  /// The CSRF token sent on POST, PUT, PATCH and DELETE; empty when none.
  const Secret& csrf_token() const;
  void set_csrf_token(Secret token);
  const ClientOptions& options() const;
  /// Closes the kept-alive connection, if any.
  void close();

 private:
  struct Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::client
