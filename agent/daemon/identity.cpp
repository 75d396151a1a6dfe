#include "agent/daemon/identity.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace sentinel::agent {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::int64_t asn1_time_ms(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000;
}

std::string identity_dir(const std::string& data_dir) { return data_dir + "/identity"; }

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<KeyAndRequest> make_key_and_request(const std::string& common_name) {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate an EC P-256 key");
  Req request(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  if (X509_REQ_set_version(request.get(), 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
      X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0) {
    return internal_error("cannot build the certificate request");
  }
  Bio key_out(BIO_new(BIO_s_mem()));
  Bio req_out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509_REQ(req_out.get(), request.get()) != 1) {
    return internal_error("cannot encode the key or request");
  }
  return KeyAndRequest{bio_text(key_out.get()), bio_text(req_out.get())};
}

Status write_file_atomically(const std::string& path, const std::string& content, int mode) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return unavailable("cannot write " + temp + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return unavailable("cannot write " + temp + ": " + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temp.c_str(), path.c_str()) != 0) {
    return unavailable("cannot replace " + path + ": " + std::strerror(errno));
  }
  return ok();
}

Result<AgentIdentity> load_identity(const std::string& data_dir) {
  AgentIdentity identity;
  identity.credential_file = identity_dir(data_dir) + "/agent.pem";
  identity.ca_file = identity_dir(data_dir) + "/ca.crt";
  SENTINEL_ASSIGN(pem, read_file(identity.credential_file));
  if (!std::filesystem::exists(identity.ca_file)) {
    return not_found("the agent CA certificate " + identity.ca_file + " is missing");
  }
  Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  if (!cert) return invalid_argument(identity.credential_file + " holds no certificate");
  char common_name[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, common_name,
                                sizeof(common_name)) <= 0) {
    return invalid_argument(identity.credential_file + ": the certificate has no agent id");
  }
  identity.agent_id = common_name;
  identity.not_before_ms = asn1_time_ms(X509_get0_notBefore(cert.get()));
  identity.not_after_ms = asn1_time_ms(X509_get0_notAfter(cert.get()));
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
