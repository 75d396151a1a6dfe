// Which feed sources are taken, and the real fetcher: files confined to the feed directory (links
// included), and HTTP against a server on 127.0.0.1 (redirects, scheme changes, caps, status,
// hung servers, addresses that are never connected to).

#include "sentinel/firewall/feed_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tests/support/tiny_http_server.h"

namespace sentinel::firewall {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(FeedSourceTest, UrlsAreSplitIntoWhatARequestNeeds) {
  auto https = parse_feed_source("https://feodotracker.abuse.ch/downloads/ipblocklist.txt", {});
  ASSERT_TRUE(https) << https.error().message;
  EXPECT_EQ(https->kind, FeedSourceKind::kHttps);
  EXPECT_EQ(https->host, "feodotracker.abuse.ch");
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(https->target, "/downloads/ipblocklist.txt");

  auto http = parse_feed_source("http://[2001:db8::5]:8080/list?format=txt", {});
  ASSERT_TRUE(http) << http.error().message;
  EXPECT_EQ(http->kind, FeedSourceKind::kHttp);
  EXPECT_EQ(http->host, "2001:db8::5");
  EXPECT_EQ(http->port, 8080);
  EXPECT_EQ(http->target, "/list?format=txt");

  auto bare = parse_feed_source("http://192.0.2.7", {});
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->port, 80);
}

TEST(FeedSourceTest, SourcesThatAreNotAllowedAreRefusedNamingTheField) {
  const fs::path root = "/var/lib/sentinel/feeds";
  for (const auto& [source, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "must not be empty"},
           {"ftp://example.com/list.txt", "http:// or https://"},
           {"file:///etc/passwd", "http:// or https://"},
           {"https://user:secret@example.com/list.txt", "user name or password"},
           {"https://example.com/list.txt#top", "fragment"},
           {"https://example.com:0/list.txt", "port"},
           {"https://exa%41mple.com/", "host name"},
           {"relative/list.txt", "absolute path"},
           {"/etc/passwd", "not inside the feed directory"},
           {"/var/lib/sentinel/feeds/../server.key", "'..'"},
           {"/var/lib/sentinel/feedsX/list.txt", "not inside the feed directory"},
           {"/var/lib/sentinel/feeds", "not inside the feed directory"},
           {"https://example.com/\nlist", "control character"},
           {"https://example.com/" + std::string(3000, 'a'), "longer than"},
       }) {
    auto parsed = parse_feed_source(source, root);
    ASSERT_FALSE(parsed) << source;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << source;
    EXPECT_EQ(parsed.error().field, "source") << source;
    EXPECT_THAT(parsed.error().message, HasSubstr(why)) << source;
  }
  auto inside = parse_feed_source("/var/lib/sentinel/feeds/abuse/list.txt", root / "");
  ASSERT_TRUE(inside) << inside.error().message;
  EXPECT_EQ(inside->kind, FeedSourceKind::kFile);
  EXPECT_EQ(inside->path, "/var/lib/sentinel/feeds/abuse/list.txt");
  // Without a feed directory there are no file feeds at all.
  auto disabled = parse_feed_source("/var/lib/sentinel/feeds/list.txt", {});
  ASSERT_FALSE(disabled);
  EXPECT_THAT(disabled.error().message, HasSubstr("not enabled"));
}

TEST(FeedSourceTest, RedirectsKeepTheirScheme) {
  auto from = parse_feed_source("https://example.com/a/list.txt", {});
  ASSERT_TRUE(from);
  auto relative = redirect_location(*from, "../b/list.txt?v=2");
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->host, "example.com");
  EXPECT_EQ(relative->target, "/b/list.txt?v=2");
  auto other_host = redirect_location(*from, "https://mirror.example.net/list.txt");
  ASSERT_TRUE(other_host) << other_host.error().message;
  EXPECT_EQ(other_host->host, "mirror.example.net");

  auto downgrade = redirect_location(*from, "http://example.com/list.txt");
  ASSERT_FALSE(downgrade);
  EXPECT_THAT(downgrade.error().message, HasSubstr("keep the scheme"));
  EXPECT_FALSE(redirect_location(*from, "file:///etc/passwd"));
  EXPECT_FALSE(redirect_location(*from, ""));
  auto plain = parse_feed_source("http://example.com/list.txt", {});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(redirect_location(*plain, "https://example.com/list.txt"));
}

TEST(FeedSourceTest, AQueryIsShownWithItsValuesHidden) {
  EXPECT_EQ(shown_feed_source("https://api.example.com/v2/blacklist?key=s3cr3t&limit=500"),
            "https://api.example.com/v2/blacklist?key=***&limit=***");
  // An item without a value may be the key itself.
  EXPECT_EQ(shown_feed_source("https://example.com/list.txt?s3cr3t"),
            "https://example.com/list.txt?***");
  EXPECT_EQ(shown_feed_source("http://[2001:db8::5]:8080/l?a=1&&b"),
            "http://[2001:db8::5]:8080/l?a=***&***&***");
  EXPECT_EQ(shown_feed_source("https://example.com/list.txt?"), "https://example.com/list.txt?");
  // Nothing to hide.
  EXPECT_EQ(shown_feed_source("https://example.com/list.txt"), "https://example.com/list.txt");
  EXPECT_EQ(shown_feed_source("/var/lib/sentinel/feeds/list.txt"),
            "/var/lib/sentinel/feeds/list.txt");
  // Not a URL: everything after the first '?' goes.
  EXPECT_EQ(shown_feed_source("https://exa mple.com/?key=s3cr3t"), "https://exa mple.com/?***");

  // A parsed location carries the shown form for messages; requests still get the whole target.
  auto location = parse_feed_source("https://example.com/list?token=s3cr3t", {});
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_EQ(location->target, "/list?token=s3cr3t");
  EXPECT_EQ(location->shown, "https://example.com/list?token=***");
  // A redirect's message names both ends without their queries' values (a signed URL's
  // signature is one).
  auto downgrade = redirect_location(*location, "http://cdn.example.net/l?X-Amz-Signature=abc");
  ASSERT_FALSE(downgrade);
  EXPECT_THAT(downgrade.error().message,
              HasSubstr("https://example.com/list?token=*** redirects to "
                        "http://cdn.example.net/l?X-Amz-Signature=***"));
  EXPECT_THAT(downgrade.error().message, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(downgrade.error().message, Not(HasSubstr("abc")));
}

class FeedFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::canonical(dir_.path()) / "feeds";
    fs::create_directories(root_);
    FeedFetcherOptions options;
    options.file_root = root_;
    options.timeout = std::chrono::milliseconds(1500);
    fetcher_ = make_feed_fetcher(options);
    auto server = test::TinyHttpServer::start();
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  Result<std::string> fetch(const std::string& source, std::size_t max_bytes = 1 << 20) {
    auto location = parse_feed_source(source, root_);
    if (!location) return std::move(location).error();
    return fetcher_->fetch(*location, max_bytes);
  }

  // fetch() from a thread in a network namespace of its own (only a loopback, down): a source
  // the fetcher should refuse is outside 127.0.0.0/8, and if the check ever let one through,
  // its connection fails here instead of leaving the machine. nullopt without the privilege.
  std::optional<Result<std::string>> fetch_offline(const std::string& source) {
    std::optional<Result<std::string>> out;
    std::thread([&] {
      if (::unshare(CLONE_NEWNET) == 0) out = fetch(source);
    }).join();
    return out;
  }

  test::TempDir dir_{"sentinel-feed-fetch"};
  fs::path root_;
  std::unique_ptr<FeedFetcher> fetcher_;
  std::unique_ptr<test::TinyHttpServer> server_;
};

TEST_F(FeedFetcherTest, AFileInsideTheFeedDirectoryIsReadWhole) {
  write(root_ / "list.txt", "192.0.2.1\n198.51.100.0/24\n");
  auto text = fetch((root_ / "list.txt").string());
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "192.0.2.1\n198.51.100.0/24\n");

  auto missing = fetch((root_ / "missing.txt").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  write(root_ / "big.txt", std::string(2000, '#'));
  auto big = fetch((root_ / "big.txt").string(), 1000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
}

TEST_F(FeedFetcherTest, ALinkInTheFeedDirectoryCannotLeadOutOfIt) {
  write(dir_.path() / "server.key", "-----BEGIN PRIVATE KEY-----\n");
  fs::create_symlink(dir_.path() / "server.key", root_ / "list.txt");
  auto text = fetch((root_ / "list.txt").string());
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(text.error().message, HasSubstr("outside the feed directory"));
  // A link that stays inside is fine.
  write(root_ / "real.txt", "192.0.2.9\n");
  fs::create_symlink(root_ / "real.txt", root_ / "current.txt");
  auto inside = fetch((root_ / "current.txt").string());
  ASSERT_TRUE(inside) << inside.error().message;
  EXPECT_EQ(*inside, "192.0.2.9\n");
  // A directory is not a feed.
  fs::create_directories(root_ / "sub");
  EXPECT_FALSE(fetch((root_ / "sub").string()));
}

TEST_F(FeedFetcherTest, AUrlIsFetchedAndARedirectOnTheSameSchemeFollowed) {
  server_->set_text("/list.txt", "203.0.113.5\n");
  auto text = fetch(server_->url("/list.txt"));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "203.0.113.5\n");

  test::TinyHttpServer::Reply moved;
  moved.status = 302;
  moved.reason = "Found";
  moved.headers = {{"Location", "/list.txt"}};
  server_->set("/old.txt", moved);
  auto followed = fetch(server_->url("/old.txt"));
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_EQ(*followed, "203.0.113.5\n");
  EXPECT_EQ(server_->requests(), (std::vector<std::string>{"/list.txt", "/old.txt", "/list.txt"}));
}

TEST_F(FeedFetcherTest, RedirectsToAnotherSchemeOrInALoopAreNotFollowed) {
  test::TinyHttpServer::Reply to_file;
  to_file.status = 301;
  to_file.reason = "Moved";
  to_file.headers = {{"Location", "file:///etc/passwd"}};
  server_->set("/file", to_file);
  auto refused = fetch(server_->url("/file"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("redirects to file:///etc/passwd"));

  test::TinyHttpServer::Reply upgrade;
  upgrade.status = 301;
  upgrade.reason = "Moved";
  upgrade.headers = {{"Location", "https://127.0.0.1:1/list.txt"}};
  server_->set("/upgrade", upgrade);
  auto scheme = fetch(server_->url("/upgrade"));
  ASSERT_FALSE(scheme);
  EXPECT_THAT(scheme.error().message, HasSubstr("keep the scheme"));

  test::TinyHttpServer::Reply loop;
  loop.status = 307;
  loop.reason = "Again";
  loop.headers = {{"Location", "/loop"}};
  server_->set("/loop", loop);
  auto looped = fetch(server_->url("/loop"));
  ASSERT_FALSE(looped);
  EXPECT_THAT(looped.error().message, HasSubstr("more than 3 redirects"));
  EXPECT_EQ(server_->requests().size(), 2u + 4u);
}

TEST_F(FeedFetcherTest, StatusesSizesEncodingsAndSilenceAreFailures) {
  auto missing = fetch(server_->url("/nothing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(missing.error().message, HasSubstr("HTTP 404 Not Found"));

  server_->set_text("/big", std::string(5000, '#'));
  auto big = fetch(server_->url("/big"), 4000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);

  test::TinyHttpServer::Reply gzip;
  gzip.headers = {{"Content-Encoding", "gzip"}};
  gzip.body = "\x1f\x8b";
  server_->set("/gz", gzip);
  auto encoded = fetch(server_->url("/gz"));
  ASSERT_FALSE(encoded);
  EXPECT_THAT(encoded.error().message, HasSubstr("encoded (gzip)"));

  test::TinyHttpServer::Reply hung;
  hung.hang = true;
  server_->set("/hang", hung);
  // The server holds the connection without a word for as long as it lives: only the fetcher's
  // own timeout can end this fetch (without it the fetch waits for the test's timeout), and the
  // error says that it did.
  auto silent = fetch(server_->url("/hang"));
  ASSERT_FALSE(silent);
  EXPECT_EQ(silent.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(silent.error().message, HasSubstr("no answer within 1.5 s"));
}

TEST_F(FeedFetcherTest, AFailureNamesTheUrlWithoutItsQueryValues) {
  // The message becomes the feed's last error, which every firewall reader sees.
  auto missing = fetch(server_->url("/nothing?apikey=s3cr3t"));
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("/nothing?apikey=***: HTTP 404"));
  EXPECT_THAT(missing.error().message, Not(HasSubstr("s3cr3t")));
  EXPECT_EQ(server_->requests(), std::vector<std::string>{"/nothing?apikey=s3cr3t"})
      << "the request itself carries the key";
}

TEST_F(FeedFetcherTest, LinkLocalAndUnspecifiedAddressesAreNeverConnectedTo) {
  for (const std::string source :
       {"http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:80/", "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/", "http://224.0.0.1/",
        // Cloud metadata services outside link-local: AWS's over IPv6, Google's over IPv6 and
        // Alibaba's. Their answers would show in the skipped-line messages.
        "http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/",
        "http://[fd20:ce::254]/computeMetadata/v1/", "http://100.100.100.200/latest/meta-data/",
        "http://[::ffff:100.100.100.200]/"}) {
    auto offline = fetch_offline(source);
    if (!offline) GTEST_SKIP() << "needs a network namespace of its own (CAP_SYS_ADMIN)";
    const Result<std::string>& refused = *offline;
    ASSERT_FALSE(refused) << source;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << source;
    EXPECT_THAT(refused.error().message, HasSubstr("never fetched from link-local")) << source;
  }
}

// A hostile feed server chooses the bytes of its redirects; the error keeps only printable
// ASCII of them, since it is stored as the feed's last error and answered as JSON.
TEST_F(FeedFetcherTest, ABrokenRedirectIsNamedInPrintableText) {
  test::TinyHttpServer::Reply moved;
  moved.status = 302;
  moved.reason = "Found";
  moved.headers = {{"Location", "/caf\xe9 \xff\xfe list"}};
  server_->set("/moved", moved);
  auto refused = fetch(server_->url("/moved"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message,
              HasSubstr("redirects to '/caf? ?? list', which is not a URL"));
}

}  // namespace
}  // namespace sentinel::firewall
