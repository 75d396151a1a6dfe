#include "client/api_client.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "client/transport.h"

namespace sentinel::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::uint64_t kMaxReplyBody = 64ull << 20;
constexpr std::uint32_t kMaxReplyHeader = 64u << 10;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

using ReplyParser = http::response_parser<http::string_body>;

void limit(ReplyParser& parser, bool head) {
  parser.header_limit(kMaxReplyHeader);
  parser.body_limit(kMaxReplyBody);
  parser.skip(head);
}

HttpReply to_reply(http::response<http::string_body>&& response) {
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    reply.headers.emplace(lower(field.name_string()), std::string(field.value()));
  }
  reply.body = std::move(response.body());
  return reply;
}

// Reads one response; `keep_alive` tells whether the connection may be reused afterwards.
Result<HttpReply> read_reply(asio::io_context& io, detail::TlsStream& stream,
                             beast::flat_buffer& buffer, bool head,
                             const detail::Endpoint& endpoint, std::chrono::milliseconds timeout,
                             bool& keep_alive) {
  ReplyParser parser;
  limit(parser, head);
  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto ec = detail::run_one(
      io, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec) return detail::io_error("cannot read the reply from", ec, endpoint, timeout);
  keep_alive = parser.get().keep_alive();
  return to_reply(parser.release());
}

}  // namespace

struct ApiClient::Impl {
  ClientOptions options;
  detail::Endpoint endpoint;
  std::shared_ptr<asio::ssl::context> tls;
  asio::io_context io;
  std::unique_ptr<detail::TlsStream> stream;  // the kept-alive connection, if any
  beast::flat_buffer buffer;
  std::map<std::string, Secret, std::less<>> cookies;
  Secret csrf;

  Result<std::unique_ptr<detail::TlsStream>> open() {
    auto fresh = std::make_unique<detail::TlsStream>(io, *tls);
    SENTINEL_TRY(detail::connect_tls(io, *fresh, endpoint, options));
    return fresh;
  }

  Result<HttpReply> round_trip(const http::request<http::string_body>& request, bool& keep_alive) {
    beast::get_lowest_layer(*stream).expires_after(options.io_timeout);
    const auto ec = detail::run_one(
        io, [&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
    if (ec) return detail::io_error("cannot send the request to", ec, endpoint, options.io_timeout);
    return read_reply(io, *stream, buffer, request.method() == http::verb::head, endpoint,
                      options.io_timeout, keep_alive);
  }

  // Sends on the kept-alive connection; when the server had closed it meanwhile, reconnects once.
  Result<HttpReply> exchange(const http::request<http::string_body>& request) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream != nullptr;
      if (!reused) {
        SENTINEL_ASSIGN(fresh, open());
        stream = std::move(fresh);
        buffer.clear();
      }
      bool keep_alive = false;
      auto reply = round_trip(request, keep_alive);
      if (!reply || !keep_alive) stream.reset();
      if (!reply && reused && attempt == 0 && reply.error().reason == kConnectionClosed) continue;
      if (reply) remember(*reply);
      return reply;
    }
  }

  // Takes cookies from Set-Cookie and the CSRF token from a login reply.
  void remember(const HttpReply& reply) {
    const auto [first, last] = reply.headers.equal_range("set-cookie");
    for (auto it = first; it != last; ++it) remember_cookie(it->second);
    if (reply.body.find("\"csrf_token\"") == std::string::npos) return;
    boost::system::error_code ec;
    const auto body = boost::json::parse(reply.body, ec);
    if (ec || !body.is_object()) return;
    const auto* token = body.as_object().if_contains("csrf_token");
    if (token != nullptr && token->is_string()) csrf = Secret(std::string(token->as_string()));
  }

  void remember_cookie(std::string_view header) {
    const std::string_view pair = header.substr(0, header.find(';'));
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) return;
    const std::string name(trim(pair.substr(0, equals)));
    const std::string_view value = trim(pair.substr(equals + 1));
    const bool expired = lower(header).find("max-age=0") != std::string::npos;
    if (value.empty() || expired) {
      cookies.erase(name);
    } else {
      cookies.insert_or_assign(name, Secret(std::string(value)));
    }
  }

  std::string cookie_header() const {
    std::string header;
    for (const auto& [name, value] : cookies) {
      if (!header.empty()) header += "; ";
      header += name + "=" + value.reveal();
    }
    return header;
  }
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&&) noexcept = default;
ApiClient::~ApiClient() = default;

Result<ApiClient> ApiClient::create(ClientOptions options) {
  auto impl = std::make_unique<Impl>();
  SENTINEL_ASSIGN(endpoint, detail::parse_base_url(options.base_url));
  SENTINEL_ASSIGN(tls, detail::make_tls_context(options));
  impl->endpoint = std::move(endpoint);
  impl->tls = std::move(tls);
  impl->options = std::move(options);
  return ApiClient(std::move(impl));
}

Result<HttpReply> ApiClient::request(std::string_view method, std::string_view path,
                                     const std::optional<boost::json::value>& body,
                                     const Headers& headers) {
  http::request<http::string_body> request;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(path);
  request.version(11);
  request.set(http::field::host, impl_->endpoint.host_header);
  request.set(http::field::user_agent, impl_->options.user_agent);
  request.set(http::field::accept, "application/json");
  if (!impl_->options.bearer_token.empty()) {
    request.set(http::field::authorization, "Bearer " + impl_->options.bearer_token.reveal());
  }
  if (!impl_->cookies.empty()) request.set(http::field::cookie, impl_->cookie_header());
  if (changes_state(method) && !impl_->csrf.empty()) {
    request.set("X-CSRF-Token", impl_->csrf.reveal());
  }
  if (body) {
    request.set(http::field::content_type, "application/json");
    request.body() = boost::json::serialize(*body);
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  request.prepare_payload();
  return impl_->exchange(request);
}

Result<HttpReply> ApiClient::get(std::string_view path, const Headers& headers) {
  return request("GET", path, std::nullopt, headers);
}

Result<HttpReply> ApiClient::post(std::string_view path) { return request("POST", path); }

Result<HttpReply> ApiClient::post(std::string_view path, const boost::json::value& body,
                                  const Headers& headers) {
  return request("POST", path, body, headers);
}

Result<HttpReply> ApiClient::patch(std::string_view path, const boost::json::value& body,
                                   const Headers& headers) {
  return request("PATCH", path, body, headers);
}

Result<HttpReply> ApiClient::put(std::string_view path, const boost::json::value& body,
                                 const Headers& headers) {
  return request("PUT", path, body, headers);
}

Result<HttpReply> ApiClient::del(std::string_view path, const Headers& headers) {
  return request("DELETE", path, std::nullopt, headers);
}

Result<HttpReply> ApiClient::send_raw(const std::string& raw_http_bytes) {
  SENTINEL_ASSIGN(stream, impl_->open());
  const auto timeout = impl_->options.io_timeout;
  auto& tcp = beast::get_lowest_layer(*stream);
  tcp.expires_after(timeout);
  beast::flat_buffer buffer;
  ReplyParser parser;
  limit(parser, false);
  // Reads while writing: a server may answer (e.g. 431) and close before taking every byte, and
  // the answer must be read before the connection reset that follows.
  boost::system::error_code read_error = asio::error::would_block;
  http::async_read(*stream, buffer, parser, [&](boost::system::error_code ec, std::size_t) {
    read_error = ec;
    tcp.close();  // the connection serves one request; this also ends a write left hanging
  });
  asio::async_write(*stream, asio::buffer(raw_http_bytes),
                    [](boost::system::error_code, std::size_t) {});
  impl_->io.restart();
  impl_->io.run();
  if (read_error)
    return detail::io_error("cannot read the reply from", read_error, impl_->endpoint, timeout);
  return to_reply(parser.release());
}

void ApiClient::set_bearer_token(Secret token) { impl_->options.bearer_token = std::move(token); }

std::optional<Secret> ApiClient::cookie(std::string_view name) const {
  const auto found = impl_->cookies.find(name);
  if (found == impl_->cookies.end()) return std::nullopt;
  return found->second;
}

void ApiClient::set_cookie(std::string_view name, Secret value) {
  if (value.empty()) {
    if (const auto found = impl_->cookies.find(name); found != impl_->cookies.end()) {
      impl_->cookies.erase(found);
    }
  } else {
    impl_->cookies.insert_or_assign(std::string(name), std::move(value));
  }
}

Secret ApiClient::cookie_header() const { return Secret(impl_->cookie_header()); }

const Secret& ApiClient::csrf_token() const { return impl_->csrf; }

void ApiClient::set_csrf_token(Secret token) { impl_->csrf = std::move(token); }

const ClientOptions& ApiClient::options() const { return impl_->options; }

void ApiClient::close() { impl_->stream.reset(); }

}  // namespace sentinel::client
