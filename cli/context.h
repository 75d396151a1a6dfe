#pragma once
// What every sentinelctl command shares: global options, the API client, output and exit codes.

#include <boost/json/value.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "client/api_client.h"
#include "output.h"
#include "sentinel/common/result.h"

namespace sentinel::ctl {

/// Exit statuses (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,           // the server refused or failed
  kExitUsage = 2,            // bad command line
  kExitUnreachable = 3,      // cannot connect, TLS failure, timeout
  kExitUnauthenticated = 4,  // 401
  kExitForbidden = 5,        // 403
};

inline constexpr std::string_view kDefaultServer = "https://127.0.0.1:8443";

/// The global options, bound to flags and environment variables by main.
struct GlobalOptions {
  std::string server;  // empty: the one stored by login, else kDefaultServer
  std::string token;   // empty: the stored one
  std::string ca_file;
  bool insecure = false;
  std::string output = "table";
};

/// The outcome of one API call: the reply's JSON (null for an empty body) when it succeeded,
/// else the exit status, the failure having been reported on stderr.
struct Outcome {
  int exit_code = kExitOk;
  boost::json::value json;
  bool ok() const { return exit_code == kExitOk; }
};

/// Percent-encodes `text` for a path segment or a query value.
std::string url_encode(std::string_view text);

/// The state of one sentinelctl run. Single-threaded.
class Ctl {
 public:
  explicit Ctl(std::filesystem::path credentials_path);

  GlobalOptions& options() { return options_; }
  const std::filesystem::path& credentials_path() const { return credentials_path_; }
  bool json_output() const { return options_.output == "json"; }

  /// Client options for the chosen server; with `authenticated`, the --token or stored token.
  Result<client::ClientOptions> client_options(bool authenticated);

  /// The client for the configured server and credentials, created at first use.
  Result<client::ApiClient*> client();

  /// Sends a request with the configured credentials.
  Outcome call(std::string_view method, const std::string& path,
               const std::optional<boost::json::value>& body = std::nullopt);

  /// GETs every page of a paged reply (limit, offset; `total` counts every item) and returns the
  /// first page's reply with the items of all pages in its array `items_key`. Stops at a short
  /// or empty page, so that a list that shrinks meanwhile ends.
  Outcome call_all_pages(const std::string& path, std::string_view items_key);

  /// Reports `error` on stderr; returns the exit status for its kind.
  int fail(const Error& error) const;
  /// Reports a non-2xx reply on stderr; returns the exit status for its HTTP status.
  int fail(const client::HttpReply& reply) const;

  /// Prints a list reply as a table (or JSON); returns the exit status.
  int show_list(const Outcome& outcome, std::span<const Column> columns) const;
  /// Prints an object reply as key: value lines (or JSON); returns the exit status.
  int show_object(const Outcome& outcome) const;
  /// For a reply that carries one secret for scripts ({"token": ...}): prints that string field
  /// alone on stdout in table mode (for `$(sentinelctl ...)`), the whole reply in json mode.
  int show_secret_field(const Outcome& outcome, std::string_view field) const;
  /// Prints `message` (or, with --output json, the reply if it has a body); returns the status.
  int show_done(const Outcome& outcome, std::string_view message) const;

  /// Chooses the command to run once parsing has finished.
  void set_action(std::function<int()> action) { action_ = std::move(action); }
  /// Runs the chosen command; returns its exit status.
  int run() const { return action_ ? action_() : kExitUsage; }

 private:
  GlobalOptions options_;
  std::filesystem::path credentials_path_;
  std::optional<client::ApiClient> client_;
  std::optional<bool> sent_token_;  // set by call(): whether a token went with it
  std::function<int()> action_;
};

}  // namespace sentinel::ctl
