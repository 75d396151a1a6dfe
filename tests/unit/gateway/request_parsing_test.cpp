// Request targets, request ids, security headers and the portal's static files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "src/gateway/security_headers.h"
#include "src/gateway/static_files.h"
#include "src/gateway/target.h"
#include "tests/support/temp_dir.h"

namespace sentinel::gateway {
namespace {

TEST(ParseTargetTest, DecodesPathAndQuery) {
  Request request;
  ASSERT_TRUE(parse_target("/api/v1/events/a%20b?q=disk+full&limit=10&q=second&flag", request));
  EXPECT_EQ(request.path, "/api/v1/events/a b");
  EXPECT_EQ(request.query_param("q"), "disk full");
  EXPECT_EQ(request.query_param("limit"), "10");
  EXPECT_EQ(request.query_param("flag"), "");
}

TEST(ParseTargetTest, RejectsDangerousTargets) {
  for (const char* target : {"/a%2Fb", "/a%2fb", "/a%00", "http://evil/x", "*", "/a b", "/%ff",
                             "/x?q=%c0%af", "relative"}) {
    Request request;
    EXPECT_FALSE(parse_target(target, request)) << target;
  }
  Request request;
  EXPECT_FALSE(parse_target("/" + std::string(kMaxTargetLength, 'a'), request));
}

TEST(RequestIdTest, AcceptsShortSafeIdsOnly) {
  EXPECT_EQ(accept_request_id("abc-123_x.y"), "abc-123_x.y");
  for (const std::string& bad : {std::string(), std::string("has space"), std::string("a\r\nb"),
                                 std::string(65, 'a'), std::string("<script>")}) {
    const std::string id = accept_request_id(bad);
    EXPECT_NE(id, bad);
    EXPECT_GE(id.size(), 16u);
  }
  EXPECT_NE(accept_request_id(""), accept_request_id(""));
}

TEST(RequestIdTest, ABatchedSourceGivesDistinctSafeIdsAcrossBatches) {
  RequestIdSource ids;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {  // several batches
    const std::string id = accept_request_id("", ids);
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(accept_request_id(id, ids), id);  // our own ids are safe to accept back
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(accept_request_id("trace-42", ids), "trace-42");
}

std::string header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

// The security header `name` of `response` to a request for `path`.
std::string security_header(const Response& response, std::string_view path,
                            std::string_view name) {
  for (const auto& [key, value] : security_headers(response, path)) {
    if (key == name) return std::string(value);
  }
  return {};
}

TEST(SecurityHeadersTest, ApiResponsesAreNotCached) {
  const Response api;
  const std::string_view path = "/api/v1/users";
  EXPECT_EQ(security_header(api, path, "Cache-Control"), "no-store");
  EXPECT_NE(security_header(api, path, "Strict-Transport-Security").find("max-age=31536000"),
            std::string::npos);
  EXPECT_NE(security_header(api, path, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(security_header(api, path, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(security_header(api, path, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(security_header(api, path, "X-Frame-Options"), "DENY");
  EXPECT_EQ(security_header(api, path, "Cross-Origin-Opener-Policy"), "same-origin");
  const Response portal;
  EXPECT_EQ(security_header(portal, "/alerts", "Cache-Control"), "no-cache");
}

TEST(SecurityHeadersTest, FingerprintedAssetsAreCachedForAYearButMissingOnesAreNot) {
  const Response asset;
  EXPECT_EQ(security_header(asset, "/assets/index-LWKKsGsc.js", "Cache-Control"),
            "public, max-age=31536000, immutable");
  Response missing;
  missing.status = 404;
  EXPECT_EQ(security_header(missing, "/assets/gone.js", "Cache-Control"), "no-cache");
  const Response index;
  EXPECT_EQ(security_header(index, "/index.html", "Cache-Control"), "no-cache");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "web";
    std::filesystem::create_directories(root_ / "assets");
    write(root_ / "index.html", "<html>portal</html>");
    write(root_ / "assets" / "app.js", "console.log(1)");
    // Not real gzip: the server must pass the precompressed bytes through untouched.
    write(root_ / "assets" / "app.js.gz", "GZIP(console.log(1))");
    write(root_ / "assets" / "app.css", "body{}");
    write(root_ / "assets" / "app.css.gz", "GZIP(body{})");
    write(root_ / "assets" / "plain.js", "console.log(2)");
    write(root_ / "assets" / "escape.js", "console.log(3)");
    write(dir_.path() / "escape.js.gz", "GZIP(outside the root)");
    std::filesystem::create_symlink(dir_.path() / "escape.js.gz",
                                    root_ / "assets" / "escape.js.gz");
    write(dir_.path() / "secret.txt", "top secret");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", root_ / "assets" / "link.txt");
  }
  static void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  test::TempDir dir_;
  std::filesystem::path root_;
};

std::string header(const std::optional<Response>& response, std::string_view name) {
  return response ? header(*response, name) : std::string("<no response>");
}

TEST_F(StaticFilesTest, ServesFilesWithContentTypes) {
  auto script = serve_static(root_, "/assets/app.js", "");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, "console.log(1)");
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(serve_static(root_, "/", "")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("a.unknown"), "application/octet-stream");
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndexButMissingFilesDoNot) {
  EXPECT_EQ(serve_static(root_, "/alerts/42", "")->body, "<html>portal</html>");
  EXPECT_EQ(serve_static(root_, "/assets", "")->body, "<html>portal</html>");
  EXPECT_FALSE(serve_static(root_, "/assets/missing.js", ""));
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/assets/link.txt",
                           "/..\\secret.txt", "relative.txt"}) {
    EXPECT_FALSE(serve_static(root_, path, "gzip")) << path;
  }
}

TEST_F(StaticFilesTest, ServesPrecompressedFileWhenGzipIsAccepted) {
  for (const char* accept : {"gzip", "gzip, deflate, br, zstd", "br;q=1.0, GZIP;q=0.5", "*",
                             "identity;q=1, *;q=0.1", " gzip ; q=0.001 ,"}) {
    const auto script = serve_static(root_, "/assets/app.js", accept);
    ASSERT_TRUE(script) << accept;
    EXPECT_EQ(script->body, "GZIP(console.log(1))") << accept;
    EXPECT_EQ(header(script, "Content-Encoding"), "gzip") << accept;
    EXPECT_EQ(header(script, "Vary"), "Accept-Encoding") << accept;
    EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8") << accept;
  }
  const auto style = serve_static(root_, "/assets/app.css", "gzip");
  ASSERT_TRUE(style);
  EXPECT_EQ(style->body, "GZIP(body{})");
  EXPECT_EQ(style->content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, ServesPlainFileWhenGzipIsRefusedOrMalformed) {
  for (const char* accept :
       {"", "br, deflate", "gzip;q=0", "GZIP;Q=0.000", "gzip;q=0, *", "*;q=0", "gzip;q=2",
        "gzip;q=0.5000", "gzip;level=9", "gzip;q=", "gz ip", "gzip\x01"}) {
    const auto script = serve_static(root_, "/assets/app.js", accept);
    ASSERT_TRUE(script) << accept;
    EXPECT_EQ(script->body, "console.log(1)") << accept;
    EXPECT_EQ(header(script, "Content-Encoding"), "") << accept;
    // The .gz exists, so a cache must still key on Accept-Encoding.
    EXPECT_EQ(header(script, "Vary"), "Accept-Encoding") << accept;
  }
}

TEST_F(StaticFilesTest, ServesPlainFileWhenThereIsNoPrecompressedOne) {
  const auto script = serve_static(root_, "/assets/plain.js", "gzip");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, "console.log(2)");
  EXPECT_EQ(header(script, "Content-Encoding"), "");
  EXPECT_EQ(header(script, "Vary"), "");
  // Client-side routes fall back to index.html, which has no .gz.
  const auto route = serve_static(root_, "/alerts/42", "gzip");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->body, "<html>portal</html>");
  EXPECT_EQ(header(route, "Content-Encoding"), "");
}

TEST_F(StaticFilesTest, PrecompressedSymlinkOutsideTheRootIsNotFollowed) {
  const auto script = serve_static(root_, "/assets/escape.js", "gzip");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, "console.log(3)");
  EXPECT_EQ(header(script, "Content-Encoding"), "");
  EXPECT_EQ(header(script, "Vary"), "");
}

}  // namespace
}  // namespace sentinel::gateway
