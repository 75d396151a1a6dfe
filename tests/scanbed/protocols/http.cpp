// nginx and Apache httpd as Debian installs them: the distribution's default page on "/", the
// servers' own error pages (404, 405, 400, 501, 505), their header order, keep-alive rules and
// the 400 they answer to plain HTTP on a TLS port.

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxRequestLine = 8192;
constexpr std::size_t kMaxHeaderBytes = 8192;
constexpr int kMaxRequestsPerConnection = 100;
// When the default pages were "installed": their Last-Modified and ETag derive from it.
constexpr std::time_t kPageMtimeBookworm = 1713099923;  // 2024-04-14
constexpr std::time_t kPageMtimeBullseye = 1654258744;  // 2022-06-03

constexpr char kNginxDefaultPage[] = R"(<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
)";

constexpr char kApacheDefaultPage[] =
    R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
    <title>Apache2 Debian Default Page: It works</title>
    <style type="text/css" media="screen">
  body, html { padding: 3px 3px 3px 3px; background-color: #D8DBE2; font-family: Ubuntu, Verdana, sans-serif; font-size: 11pt; text-align: center; }
  div.main_page { position: relative; display: table; width: 800px; margin-bottom: 3px; margin-left: auto; margin-right: auto; padding: 0px 0px 0px 0px; border-width: 2px; border-color: #212738; border-style: solid; background-color: #FFFFFF; text-align: center; }
  div.page_header { height: 180px; width: 100%; background-color: #F5F6F7; }
  div.content_section_text { padding: 4px 8px 4px 8px; color: #000000; font-size: 100%; }
  div.section_header { padding: 3px 6px 3px 6px; background-color: #8E9CB2; color: #FFFFFF; font-weight: bold; font-size: 112%; text-align: center; }
    </style>
  </head>
  <body>
    <div class="main_page">
      <div class="page_header floating_element">
        <span class="floating_element">
          Apache2 Debian Default Page
        </span>
      </div>
      <div class="content_section floating_element">
        <div class="section_header section_header_red">
          <div id="about"></div>
          It works!
        </div>
        <div class="content_section_text">
          <p>
                This is the default welcome page used to test the correct
                operation of the Apache2 server after installation on Debian systems.
                If you can read this page, it means that the Apache HTTP server installed at
                this site is working properly. You should <b>replace this file</b> (located at
                <tt>/var/www/html/index.html</tt>) before continuing to operate your HTTP server.
          </p>
          <p>
                If you are a normal user of this web site and don't know what this page is
                about, this probably means that the site is currently unavailable due to
                maintenance.
          </p>
        </div>
        <div class="section_header">
          <div id="changes"></div>
                Configuration Overview
        </div>
        <div class="content_section_text">
          <p>
                Debian's Apache2 default configuration is different from the
                upstream default configuration, and split into several files optimized for
                interaction with Debian tools. The configuration system is
                <b>fully documented in
                /usr/share/doc/apache2/README.Debian.gz</b>. Refer to this for the full
                documentation.
          </p>
          <pre>
/etc/apache2/
|-- apache2.conf
|       `--  ports.conf
|-- mods-enabled
|       |-- *.load
|       `-- *.conf
|-- conf-enabled
|       `-- *.conf
|-- sites-enabled
|       `-- *.conf
          </pre>
        </div>
        <div class="section_header">
            <div id="docroot"></div>
                Document Roots
        </div>
        <div class="content_section_text">
            <p>
                By default, Debian does not allow access through the web browser to
                <em>any</em> file outside of those located in <tt>/var/www</tt>,
                <a href="http://httpd.apache.org/docs/2.4/mod/mod_userdir.html" rel="nofollow">public_html</a>
                directories (when enabled) and <tt>/usr/share</tt> (for web
                applications).
            </p>
        </div>
      </div>
    </div>
    <div class="validator">
    </div>
  </body>
</html>
)";

struct Request {
  std::string method;
  std::string target;
  int version = 10;  // 9, 10 or 11
  bool keep_alive = false;
  bool has_host = false;
};

enum class Outcome { kRequest, kBadRequest, kBadVersion, kGone };

struct Parsed {
  Outcome outcome = Outcome::kGone;
  Request request;
};

std::string http_date(std::time_t when) {
  std::tm parts{};
  gmtime_r(&when, &parts);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> split_spaces(std::string_view line) {
  std::vector<std::string> tokens;
  std::size_t at = 0;
  while (at < line.size()) {
    const std::size_t end = std::min(line.find(' ', at), line.size());
    if (end > at) tokens.emplace_back(line.substr(at, end - at));
    at = end + 1;
  }
  return tokens;
}

bool is_method_token(std::string_view method) {
  return !method.empty() && std::all_of(method.begin(), method.end(), [](unsigned char c) {
    return std::isupper(c) || c == '_' || c == '-';
  });
}

// Reads one request head the way both servers do: blank lines before the request line are
// skipped, HTTP/0.9 has no headers, and a head over the limits is a bad request.
boost::asio::awaitable<Parsed> read_request(Connection& connection) {
  Parsed parsed;
  std::optional<std::string> line;
  do {
    line = co_await connection.read_line(kMaxRequestLine);
    if (!line) {
      parsed.outcome = connection.buffered().empty() ? Outcome::kGone : Outcome::kBadRequest;
      co_return parsed;
    }
  } while (line->empty());
  const std::vector<std::string> tokens = split_spaces(*line);
  Request& request = parsed.request;
  if (tokens.size() == 2 && tokens[0] == "GET") {
    request.method = tokens[0];
    request.target = tokens[1];
    request.version = 9;
    parsed.outcome = Outcome::kRequest;
    co_return parsed;
  }
  if (tokens.size() != 3 || !tokens[1].starts_with('/') || !tokens[2].starts_with("HTTP/") ||
      tokens[2].size() != 8 || !std::isdigit(static_cast<unsigned char>(tokens[2][5])) ||
      tokens[2][6] != '.' || !std::isdigit(static_cast<unsigned char>(tokens[2][7]))) {
    parsed.outcome = Outcome::kBadRequest;
    co_return parsed;
  }
  request.method = tokens[0];
  request.target = tokens[1];
  if (tokens[2] == "HTTP/1.1") {
    request.version = 11;
  } else if (tokens[2] == "HTTP/1.0") {
    request.version = 10;
  } else {
    parsed.outcome = tokens[2][5] >= '2' ? Outcome::kBadVersion : Outcome::kBadRequest;
    co_return parsed;
  }
  std::string connection_header;
  std::size_t header_bytes = 0;
  for (;;) {
    line = co_await connection.read_line(kMaxHeaderBytes);
    if (!line) {
      parsed.outcome = Outcome::kBadRequest;
      co_return parsed;
    }
    if (line->empty()) break;
    header_bytes += line->size();
    const std::size_t colon = line->find(':');
    if (header_bytes > kMaxHeaderBytes || colon == std::string::npos || colon == 0) {
      parsed.outcome = Outcome::kBadRequest;
      co_return parsed;
    }
    const std::string name = lower(std::string_view(*line).substr(0, colon));
    std::string value = line->substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "host") request.has_host = true;
    if (name == "connection") connection_header = lower(value);
  }
  request.keep_alive =
      request.version == 11 ? connection_header != "close" : connection_header == "keep-alive";
  parsed.outcome = Outcome::kRequest;
  co_return parsed;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

// ---- nginx
// ---------------------------------------------------------------------------------------

class Nginx {
 public:
  explicit Nginx(const ServiceSpec& service)
      : server_(service.wire_version),
        mtime_(service.release == Release::kBookworm ? kPageMtimeBookworm : kPageMtimeBullseye) {}

  std::string page(const Request& request, bool head_only) const {
    const std::string body = kNginxDefaultPage;
    const std::string head = fmt::format(
        "HTTP/1.1 200 OK\r\nServer: {}\r\nDate: {}\r\nContent-Type: text/html\r\n"
        "Content-Length: {}\r\nLast-Modified: {}\r\nConnection: {}\r\nETag: \"{:x}-{:x}\"\r\n"
        "Accept-Ranges: bytes\r\n\r\n",
        server_, http_date(std::time(nullptr)), body.size(), http_date(mtime_),
        request.keep_alive ? "keep-alive" : "close", mtime_, body.size());
    return head_only ? head : head + body;
  }

  std::string error_body(int code, std::string_view reason, std::string_view detail = {},
                         std::string_view title = {}) const {
    std::string body = fmt::format(
        "<html>\r\n<head><title>{} {}</title></head>\r\n<body>\r\n<center><h1>{} {}</h1></center>"
        "\r\n",
        code, title.empty() ? reason : title, code, reason);
    if (!detail.empty()) body += fmt::format("<center>{}</center>\r\n", detail);
    body += fmt::format("<hr><center>{}</center>\r\n</body>\r\n</html>\r\n", server_);
    return body;
  }

  std::string error(int code, std::string_view reason, bool keep_alive, bool head_only,
                    std::string_view detail = {}, std::string_view title = {}) const {
    const std::string body = error_body(code, reason, detail, title);
    const std::string head = fmt::format(
        "HTTP/1.1 {} {}\r\nServer: {}\r\nDate: {}\r\nContent-Type: text/html\r\n"
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        code, reason, server_, http_date(std::time(nullptr)), body.size(),
        keep_alive ? "keep-alive" : "close");
    return head_only ? head : head + body;
  }

  // The answer to one request, and whether the connection stays open.
  std::pair<std::string, bool> answer(const Parsed& parsed) const {
    const Request& request = parsed.request;
    if (parsed.outcome == Outcome::kBadVersion) {
      return {error(505, "HTTP Version Not Supported", false, false), false};
    }
    if (parsed.outcome != Outcome::kRequest || !is_method_token(request.method) ||
        (request.version == 11 && !request.has_host)) {
      return {error(400, "Bad Request", false, false), false};
    }
    const bool head_only = request.method == "HEAD";
    const std::string path = path_of(request.target);
    const bool found = path == "/" || path == "/index.nginx-debian.html";
    if (request.version == 9) {
      // HTTP/0.9 has no status line and no headers: nginx sends the body alone.
      return {found ? std::string(kNginxDefaultPage) : error_body(404, "Not Found"), false};
    }
    if (request.method != "GET" && !head_only) {
      return {error(405, "Not Allowed", request.keep_alive, false), request.keep_alive};
    }
    if (!found) {
      return {error(404, "Not Found", request.keep_alive, head_only), request.keep_alive};
    }
    return {page(request, head_only), request.keep_alive};
  }

  std::string plain_on_tls_port() const {
    return error(400, "Bad Request", false, false, "The plain HTTP request was sent to HTTPS port",
                 "The plain HTTP request was sent to HTTPS port");
  }

 private:
  std::string server_;
  std::time_t mtime_;
};

// ---- Apache httpd
// --------------------------------------------------------------------------------

class Apache {
 public:
  Apache(const ServiceSpec& service, const Connection& connection)
      : server_(service.wire_version),
        mtime_(service.release == Release::kBookworm ? kPageMtimeBookworm : kPageMtimeBullseye),
        signature_(fmt::format("<address>{} Server at {} Port {}</address>\n", server_,
                               connection.local_address(), connection.local_port())) {}

  std::string page(const Request& request, bool head_only) const {
    const std::string body = kApacheDefaultPage;
    const std::string head = fmt::format(
        "HTTP/1.1 200 OK\r\nDate: {}\r\nServer: {}\r\nLast-Modified: {}\r\n"
        "ETag: \"{:x}-{:x}\"\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\n"
        "Vary: Accept-Encoding\r\n{}Content-Type: text/html\r\n\r\n",
        http_date(std::time(nullptr)), server_, http_date(mtime_), body.size(),
        static_cast<std::uint64_t>(mtime_) * 1000000, body.size(), connection_headers(request));
    return head_only ? head : head + body;
  }

  std::string error(int code, std::string_view reason, std::string_view text,
                    const Request* request, bool head_only, std::string_view extra = {}) const {
    const std::string body = fmt::format(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>{} {}</title>\n"
        "</head><body>\n<h1>{}</h1>\n<p>{}</p>\n<hr>\n{}</body></html>\n",
        code, reason, reason, text, signature_);
    const std::string head = fmt::format(
        "HTTP/1.1 {} {}\r\nDate: {}\r\nServer: {}\r\n{}Content-Length: {}\r\n{}"
        "Content-Type: text/html; charset=iso-8859-1\r\n\r\n",
        code, reason, http_date(std::time(nullptr)), server_, extra, body.size(),
        request ? connection_headers(*request) : "Connection: close\r\n");
    return head_only ? head : head + body;
  }

  std::pair<std::string, bool> answer(const Parsed& parsed) const {
    const Request& request = parsed.request;
    const std::string bad_request_text =
        "Your browser sent a request that this server could not understand.<br />\n";
    if (parsed.outcome == Outcome::kBadVersion) {
      return {error(505, "HTTP Version Not Supported",
                    "The server encountered an internal error or\nmisconfiguration and was unable "
                    "to complete\nyour request.",
                    nullptr, false),
              false};
    }
    if (parsed.outcome != Outcome::kRequest || request.version == 9 ||
        (request.version == 11 && !request.has_host)) {
      return {error(400, "Bad Request", bad_request_text, nullptr, false), false};
    }
    const bool head_only = request.method == "HEAD";
    const std::string path = path_of(request.target);
    const bool found = path == "/" || path == "/index.html";
    const bool keep = request.keep_alive;
    if (request.method == "OPTIONS") {
      return {fmt::format("HTTP/1.1 200 OK\r\nDate: {}\r\nServer: {}\r\n"
                          "Allow: POST,OPTIONS,HEAD,GET\r\nContent-Length: 0\r\n{}"
                          "Content-Type: text/html\r\n\r\n",
                          http_date(std::time(nullptr)), server_, connection_headers(request)),
              keep};
    }
    if (request.method == "PUT" || request.method == "DELETE" || request.method == "PATCH" ||
        request.method == "TRACE") {
      return {
          error(405, "Method Not Allowed",
                fmt::format("The requested method {} is not allowed for this URL.", request.method),
                &request, false, "Allow: POST,OPTIONS,HEAD,GET\r\n"),
          keep};
    }
    if (request.method != "GET" && request.method != "POST" && !head_only) {
      return {error(501, "Not Implemented",
                    fmt::format("{} not supported for current URL.<br />\n", request.method),
                    &request, false),
              keep};
    }
    if (!found) {
      return {error(404, "Not Found", "The requested URL was not found on this server.", &request,
                    head_only),
              keep};
    }
    return {page(request, head_only), keep};
  }

  std::string plain_on_tls_port() const {
    return error(400, "Bad Request",
                 "Your browser sent a request that this server could not understand.<br />\n"
                 "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n"
                 " Instead use the HTTPS scheme to access this URL, please.<br />\n",
                 nullptr, false);
  }

 private:
  static std::string connection_headers(const Request& request) {
    return request.keep_alive ? "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n"
                              : "Connection: close\r\n";
  }

  std::string server_;
  std::time_t mtime_;
  std::string signature_;
};

template <typename Server>
boost::asio::awaitable<void> serve_requests(Connection& connection, Server server) {
  for (int served = 0; served < kMaxRequestsPerConnection; ++served) {
    const Parsed parsed = co_await read_request(connection);
    if (parsed.outcome == Outcome::kGone) co_return;
    const std::pair<std::string, bool> answer = server.answer(parsed);
    const bool written = co_await connection.write(answer.first);
    if (!written || !answer.second) co_return;
  }
}

}  // namespace

// Not a coroutine: returns the chosen server's awaitable (see serve_protocol in bed_server.cpp).
boost::asio::awaitable<void> serve_http(Connection& connection, ServeContext context) {
  if (context.service.software == Software::kApache) {
    return serve_requests(connection, Apache(context.service, connection));
  }
  return serve_requests(connection, Nginx(context.service));
}

boost::asio::awaitable<void> serve_plain_http_on_tls_port(Connection& connection,
                                                          ServeContext context) {
  // Both servers read the request first and then refuse it.
  const Parsed parsed = co_await read_request(connection);
  if (parsed.outcome == Outcome::kGone) co_return;
  const std::string refusal = context.service.software == Software::kApache
                                  ? Apache(context.service, connection).plain_on_tls_port()
                                  : Nginx(context.service).plain_on_tls_port();
  co_await connection.write(refusal);
}

}  // namespace sentinel::scanbed
