// A small HTTP/1.1 client for feeds: one GET per hop, the connection closed after it, every step
// under one deadline, the answer capped. The server has no other outbound HTTP client (the CLI's
// is HTTPS-to-our-API only and is not built into sanitizer builds), so this one is its own.

#include "feed_http_fetch.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <string_view>
#include <vector>

#include "sentinel/firewall/feed_list.h"

namespace sentinel::firewall {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Deadline = std::chrono::steady_clock::time_point;

constexpr std::uint32_t kMaxHeaderBytes = 16 << 10;

// Starts one asynchronous operation and runs `io` until it completes; its error code. The
// stream's expiry bounds it.
template <typename Start>
boost::system::error_code run_one(asio::io_context& io, Start&& start) {
  boost::system::error_code result = asio::error::would_block;
  std::forward<Start>(start)([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  while (result == asio::error::would_block && io.run_one() > 0) {
  }
  return result;
}

// Cloud metadata services outside link-local: AWS's over IPv6 (IMDSv1 answers a plain GET with
// credentials), Google's over IPv6 and Alibaba's. A feed's skipped lines are quoted to readers.
constexpr std::array<std::string_view, 3> kMetadataServices = {"fd00:ec2::254", "fd20:ce::254",
                                                               "100.100.100.200"};

// Addresses a feed is never fetched from: link-local (most cloud metadata services answer
// there) and the other metadata services, unspecified ("this host"), broadcast and multicast.
bool forbidden(const asio::ip::address& address) {
  if (address.is_unspecified() || address.is_multicast()) return true;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return forbidden(asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()));
  }
  for (const std::string_view service : kMetadataServices) {
    if (address == asio::ip::make_address(service)) return true;
  }
  if (address.is_v6()) return address.to_v6().is_link_local();
  const auto bytes = address.to_v4().to_bytes();
  return bytes[0] == 0 || (bytes[0] == 169 && bytes[1] == 254) || address.to_v4().is_multicast() ||
         address.to_v4() == asio::ip::address_v4::broadcast();
}

std::string seconds(std::chrono::milliseconds timeout) {
  return fmt::format("{:g} s", static_cast<double>(timeout.count()) / 1000.0);
}

// The Error of a failed step, in words an admin can act on.
Error step_error(std::string_view doing, const FeedLocation& location,
                 const boost::system::error_code& ec, const FeedFetcherOptions& options) {
  if (ec == beast::error::timeout) {
    return unavailable(
        fmt::format("{} {}: no answer within {}", doing, location.shown, seconds(options.timeout)));
  }
  return unavailable(fmt::format("{} {}: {}", doing, location.shown, ec.message()));
}

// The answer of one GET, before any redirect is followed.
struct Answer {
  unsigned status = 0;
  std::string reason;
  std::string location;          // the Location header
  std::string content_encoding;  // the Content-Encoding header
  std::string body;
};

template <typename Stream>
Result<Answer> exchange(asio::io_context& io, Stream& stream, const FeedLocation& location,
                        std::size_t max_bytes, const FeedFetcherOptions& options) {
  http::request<http::empty_body> request{http::verb::get, location.target, 11};
  const bool default_port = location.port == (location.kind == FeedSourceKind::kHttps ? 443 : 80);
  const std::string host =
      location.host.find(':') != std::string::npos ? "[" + location.host + "]" : location.host;
  request.set(http::field::host, default_port ? host : fmt::format("{}:{}", host, location.port));
  request.set(http::field::user_agent, options.user_agent);
  request.set(http::field::accept, "text/plain, text/csv, */*");
  // Compressed text would pass the byte cap small and grow past it afterwards.
  request.set(http::field::accept_encoding, "identity");
  request.set(http::field::connection, "close");
  boost::system::error_code ec =
      run_one(io, [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
  if (ec) return step_error("sending the request to", location, ec, options);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(max_bytes);
  ec = run_one(io,
               [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec == http::error::body_limit) {
    return Error{ErrorCode::kPayloadTooLarge,
                 fmt::format("{} answered with more than {} bytes", location.shown, max_bytes),
                 {},
                 {}};
  }
  if (ec) return step_error("reading the answer of", location, ec, options);
  http::response<http::string_body> response = parser.release();
  Answer answer;
  answer.status = response.result_int();
  answer.reason = std::string(response.reason());
  answer.location = std::string(response[http::field::location]);
  answer.content_encoding = std::string(response[http::field::content_encoding]);
  answer.body = std::move(response.body());
  return answer;
}

// Resolves the host and keeps the addresses a feed may come from.
Result<std::vector<tcp::endpoint>> endpoints_of(asio::io_context& io,
                                                const FeedLocation& location) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(location.host, std::to_string(location.port), ec);
  if (ec) return unavailable(fmt::format("cannot resolve {}: {}", location.host, ec.message()));
  std::vector<tcp::endpoint> allowed;
  std::string refused;
  for (const auto& entry : results) {
    if (forbidden(entry.endpoint().address())) {
      refused = entry.endpoint().address().to_string();
    } else {
      allowed.push_back(entry.endpoint());
    }
  }
  if (allowed.empty()) {
    return invalid_argument(
        fmt::format("{} is {}: feeds are never fetched from link-local, unspecified, "
                    "multicast or cloud metadata addresses",
                    location.host, refused.empty() ? "not resolvable" : refused),
        "source");
  }
  return allowed;
}

Status connect(asio::io_context& io, beast::tcp_stream& tcp_stream, const FeedLocation& location,
               Deadline deadline, const FeedFetcherOptions& options) {
  SENTINEL_ASSIGN(endpoints, endpoints_of(io, location));
  tcp_stream.expires_at(deadline);
  const boost::system::error_code ec =
      run_one(io, [&](auto handler) { tcp_stream.async_connect(endpoints, std::move(handler)); });
  if (ec) return step_error("cannot connect to", location, ec, options);
  return ok();
}

Result<Answer> get_plain(asio::io_context& io, const FeedLocation& location, std::size_t max_bytes,
                         Deadline deadline, const FeedFetcherOptions& options) {
  beast::tcp_stream stream(io);
  SENTINEL_TRY(connect(io, stream, location, deadline, options));
  return exchange(io, stream, location, max_bytes, options);
}

Result<Answer> get_tls(asio::io_context& io, const FeedLocation& location, std::size_t max_bytes,
                       Deadline deadline, const FeedFetcherOptions& options) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    return internal_error("cannot set the lowest TLS version");
  }
  boost::system::error_code ec;
  context.set_verify_mode(asio::ssl::verify_peer);
  context.set_default_verify_paths(ec);
  if (ec) return internal_error("cannot load the system's CA certificates: " + ec.message());
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  SSL* ssl = stream.native_handle();
  boost::system::error_code not_ip;
  asio::ip::make_address(location.host, not_ip);
  if (!not_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), location.host.c_str());
  } else if (SSL_set_tlsext_host_name(ssl, location.host.c_str()) != 1 ||
             SSL_set1_host(ssl, location.host.c_str()) != 1) {
    return internal_error("cannot set the TLS host name");
  }
  SENTINEL_TRY(connect(io, beast::get_lowest_layer(stream), location, deadline, options));
  ec = run_one(io, [&](auto handler) {
    stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  if (ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return unavailable(fmt::format("the certificate of {} is not trusted: {}", location.shown,
                                     X509_verify_cert_error_string(verify)));
    }
    return step_error("TLS handshake with", location, ec, options);
  }
  return exchange(io, stream, location, max_bytes, options);
}

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Result<std::string> fetch_http(const FeedLocation& first, std::size_t max_bytes,
                               const FeedFetcherOptions& options) {
  const Deadline deadline = std::chrono::steady_clock::now() + options.timeout;
  FeedLocation location = first;
  for (int hop = 0;; ++hop) {
    asio::io_context io;
    Result<Answer> answer = location.kind == FeedSourceKind::kHttps
                                ? get_tls(io, location, max_bytes, deadline, options)
                                : get_plain(io, location, max_bytes, deadline, options);
    if (!answer) return std::move(answer).error();
    if (is_redirect(answer->status)) {
      if (hop >= options.max_redirects) {
        return unavailable(
            fmt::format("{}: more than {} redirects", first.shown, options.max_redirects));
      }
      SENTINEL_ASSIGN(next, redirect_location(location, answer->location));
      location = std::move(next);
      continue;
    }
    if (answer->status != 200) {
      return unavailable(fmt::format("GET {}: HTTP {} {}", location.shown, answer->status,
                                     printable_ascii(answer->reason, 64)));
    }
    if (!answer->content_encoding.empty() && answer->content_encoding != "identity") {
      return unavailable(fmt::format("GET {}: the answer is encoded ({}); only plain text is read",
                                     location.shown,
                                     printable_ascii(answer->content_encoding, 32)));
    }
    return std::move(answer->body);
  }
}

}  // namespace sentinel::firewall
