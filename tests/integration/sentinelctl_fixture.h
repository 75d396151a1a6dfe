#pragma once
// sentinelctl run against a test's real server, as a script runs it: with an admin API token in
// SENTINEL_TOKEN and a private config dir.

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

/// Adds ctl() to an ApiTest fixture `Base` (which must have started its server).
template <typename Base>
class WithSentinelctl : public Base {
 protected:
  /// Runs sentinelctl `args` against this server; the admin token is made on first use.
  CommandOutput ctl(const std::vector<std::string>& args) {
    if (token_.empty()) {
      client::ApiClient root = this->admin();
      auto created = root.post("/api/v1/tokens", boost::json::object{{"name", "sentinelctl-test"}});
      EXPECT_TRUE(created && created->status == 201);
      if (created && created->status == 201) {
        token_ = std::string(body_of(*created).at("token").as_string());
      }
    }
    std::vector<std::string> argv = {binary_path("sentinelctl"), "--server", this->server_->url(),
                                     "--ca-file", this->server_->ca_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = run_command(
        argv, {},
        {{"SENTINEL_TOKEN", token_}, {"SENTINEL_CONFIG_DIR", (ctl_home_.path() / "ctl").string()}});
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : CommandOutput{};
  }

  /// What a command printed, as JSON (a test failure when it is not JSON).
  static boost::json::value parse(const CommandOutput& out) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(out.out, ec);
    EXPECT_FALSE(ec) << "not JSON: " << out.out;
    return parsed;
  }

 private:
  std::string token_;
  TempDir ctl_home_{"sentinelctl-home"};
};

}  // namespace sentinel::test
