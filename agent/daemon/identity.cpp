#include "agent/daemon/identity.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>

#include "agent/daemon/state_file.h"
#include "sentinel/common/openssl.h"

namespace sentinel::agent {
namespace {

std::string identity_dir(const std::string& data_dir) { return data_dir + "/identity"; }

}  // namespace

Result<KeyAndRequest> make_key_and_request(const std::string& common_name) {
  ssl::KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate an EC P-256 key");
  ssl::RequestPtr request(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  if (X509_REQ_set_version(request.get(), 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
      X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0) {
    return internal_error("cannot build the certificate request");
  }
  KeyAndRequest made{ssl::private_key_pem(key.get()), ssl::request_pem(request.get())};
  if (made.key_pem.empty() || made.csr_pem.empty()) {
    return internal_error("cannot encode the key or request");
  }
  return made;
}

Result<AgentIdentity> load_identity(const std::string& data_dir) {
  AgentIdentity identity;
  identity.credential_file = identity_dir(data_dir) + "/agent.pem";
  identity.ca_file = identity_dir(data_dir) + "/ca.crt";
  SENTINEL_ASSIGN(pem, read_file(identity.credential_file));
  if (!std::filesystem::exists(identity.ca_file)) {
    return not_found("the agent CA certificate " + identity.ca_file + " is missing");
  }
  auto parsed = ssl::parse_certificate(pem);
  if (!parsed) return invalid_argument(identity.credential_file + " holds no certificate");
  const ssl::CertPtr cert = std::move(*parsed);
  char common_name[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, common_name,
                                sizeof(common_name)) <= 0) {
    return invalid_argument(identity.credential_file + ": the certificate has no agent id");
  }
  identity.agent_id = common_name;
  identity.not_before_ms = ssl::time_ms(X509_get0_notBefore(cert.get()));
  identity.not_after_ms = ssl::time_ms(X509_get0_notAfter(cert.get()));
  return identity;
}

Result<AgentIdentity> save_identity(const std::string& data_dir, const std::string& key_pem,
                                    const std::string& certificate_pem, const std::string& ca_pem) {
  const std::string dir = identity_dir(data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) return unavailable("cannot create " + dir);
  if (!ca_pem.empty()) SENTINEL_TRY(write_file_atomically(dir + "/ca.crt", ca_pem, 0600));
  SENTINEL_TRY(write_file_atomically(dir + "/agent.pem", key_pem + certificate_pem, 0600));
  return load_identity(data_dir);
}

}  // namespace sentinel::agent
