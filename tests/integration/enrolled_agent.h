#pragma once
// An agent enrolled by hand through the API, for tests that speak the agent channel themselves
// (a hostile client, an agent from an older release) instead of running sentinel-agent.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "agent/channel/channel_connection.h"
#include "agent/daemon/identity.h"
#include "client/api_client.h"
#include "sentinel/common/result.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

/// The id and PEM files of an agent enrolled with a fresh key, and channel connections made with
/// them. Owns the temp dir that holds the files. Movable; not for concurrent use.
class EnrolledAgent {
 public:
  /// Enrols as `hostname` with enrolment `token` through `anonymous`; `channel_address` is the
  /// server's agent channel, "host:port".
  static Result<EnrolledAgent> enroll(client::ApiClient anonymous, const std::string& token,
                                      const std::string& hostname, std::string channel_address) {
    auto keys = agent::make_key_and_request(hostname);
    if (!keys) return std::move(keys).error();
    auto reply = anonymous.post(
        "/api/v1/agents/enroll",
        boost::json::object{{"token", token}, {"csr", keys->csr_pem}, {"hostname", hostname}});
    if (!reply) return std::move(reply).error();
    if (reply->status != 201) {
      return internal_error("enrolment answered " + std::to_string(reply->status) + ": " +
                            reply->body);
    }
    auto body = reply->json();
    if (!body) return std::move(body).error();
    const std::string id = string_member(*body, "agent_id");
    const std::string certificate = string_member(*body, "certificate");
    const std::string ca = string_member(*body, "ca_certificate");
    if (id.empty() || certificate.empty() || ca.empty()) {
      return internal_error("enrolment reply without agent_id, certificate or ca_certificate: " +
                            reply->body);
    }

    EnrolledAgent enrolled(hostname, id, std::move(channel_address));
    std::ofstream credential_out(enrolled.credential_file_);
    credential_out << keys->key_pem << certificate;
    std::ofstream ca_out(enrolled.ca_file_);
    ca_out << ca;
    credential_out.close();
    ca_out.close();
    if (!credential_out || !ca_out) {
      return internal_error("cannot write the agent's PEM files in " +
                            enrolled.dir_.path().string());
    }
    return enrolled;
  }

  const std::string& id() const { return id_; }
  /// PEM: the agent's private key followed by its certificate.
  const std::string& credential_file() const { return credential_file_; }
  /// PEM: the agent CA that the server's channel certificate chains to.
  const std::string& ca_file() const { return ca_file_; }

  /// A new channel connection as this agent; null (and a test failure) when it cannot be opened.
  std::unique_ptr<agent::ChannelConnection> connect() const {
    agent::ChannelEndpoint endpoint;
    endpoint.host = channel_address_.substr(0, channel_address_.rfind(':'));
    endpoint.port = channel_address_.substr(channel_address_.rfind(':') + 1);
    endpoint.ca_file = ca_file_;
    endpoint.cert_file = credential_file_;
    endpoint.key_file = credential_file_;
    auto connection = agent::ChannelConnection::open(endpoint);
    EXPECT_TRUE(connection) << connection.error().message;
    return connection ? std::move(*connection) : nullptr;
  }

 private:
  EnrolledAgent(const std::string& hostname, std::string id, std::string channel_address)
      : dir_(hostname + "-pki"),
        id_(std::move(id)),
        channel_address_(std::move(channel_address)),
        credential_file_((dir_.path() / "agent.pem").string()),
        ca_file_((dir_.path() / "ca.crt").string()) {}

  /// The string member `key` of a JSON object, or "" when there is none.
  static std::string string_member(const boost::json::value& body, std::string_view key) {
    const auto* object = body.if_object();
    const auto* member = object ? object->if_contains(key) : nullptr;
    const auto* text = member ? member->if_string() : nullptr;
    return text ? std::string(*text) : std::string();
  }

  TempDir dir_;
  std::string id_;
  std::string channel_address_;
  std::string credential_file_;
  std::string ca_file_;
};

}  // namespace sentinel::test
