#pragma once
// Agents integration tests: keys and requests made by the openssl command line (a tool
// independent of the server's code), and enrolment through the real API.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

class AgentsApiTest : public ApiTest {
 protected:
  /// A fresh P-256 key and a PEM certificate request for it, by `openssl req`.
  std::string make_csr(const std::string& name) {
    const std::string base = (files_.path() / name).string();
    auto out = run_command({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", base + ".key", "-subj",
                            "/CN=" + name, "-out", base + ".csr"});
    EXPECT_TRUE(out && out->exit_code == 0) << (out ? out->err : out.error().message);
    return read(base + ".csr");
  }

  /// `openssl verify` of `certificate_pem` against `ca_pem` as a TLS client certificate: the
  /// tool's output, "...: OK" when it verifies.
  std::string verify_client_certificate(const std::string& certificate_pem,
                                        const std::string& ca_pem) {
    const std::string cert = write("agent.crt", certificate_pem);
    const std::string ca = write("ca.crt", ca_pem);
    auto out = run_command(
        {"openssl", "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", ca, cert});
    return out ? out->out + out->err : out.error().message;
  }

  /// Creates an enrolment token as `api` with `body`; returns the reply's JSON.
  boost::json::object create_token(client::ApiClient& api, boost::json::object body = {}) {
    auto reply = api.post("/api/v1/agents/enroll-tokens", body);
    EXPECT_TRUE(reply);
    if (!reply) return {};
    EXPECT_EQ(reply->status, 201) << reply->body;
    const boost::json::value json = body_of(*reply);
    return json.is_object() ? json.as_object() : boost::json::object{};
  }

  /// POST /api/v1/agents/enroll as nobody, with a fresh CSR.
  client::HttpReply enroll(const std::string& token, const std::string& hostname = "web-1") {
    client::ApiClient nobody = anonymous();
    auto reply = nobody.post("/api/v1/agents/enroll",
                             boost::json::object{{"token", token},
                                                 {"csr", make_csr(hostname)},
                                                 {"hostname", hostname},
                                                 {"os", "Debian GNU/Linux 12 (bookworm)"},
                                                 {"kernel", "6.1.0-18-amd64"},
                                                 {"arch", "x86_64"},
                                                 {"agent_version", "0.1.0"}});
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  /// Enrols a host with a new admin token; returns the agent id.
  std::string enrolled_agent(client::ApiClient& admin_api, const std::string& hostname,
                             boost::json::object token_body = {}) {
    const auto token = create_token(admin_api, std::move(token_body));
    const client::HttpReply reply = enroll(std::string(token.at("token").as_string()), hostname);
    EXPECT_EQ(reply.status, 201) << reply.body;
    const auto json = body_of(reply);
    return json.is_object() && json.as_object().contains("agent_id")
               ? std::string(json.at("agent_id").as_string())
               : std::string();
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (files_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  TempDir files_{"sentinel-agents-it"};
};

}  // namespace sentinel::test
