#include "agent_tls.h"

#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "../logger.h"
#include "sentinel/common/openssl.h"

namespace sentinel::gateway {
namespace {

// Verifies the certificate chain in `cert_file` (leaf first) against the trust anchors of `ctx`.
Status check_signed_by_ca(SSL_CTX* ctx, const std::string& cert_file, const std::string& ca_file) {
  ssl::FilePtr file(std::fopen(cert_file.c_str(), "r"));
  if (!file) return invalid_argument(fmt::format("cannot read {}", cert_file), "cert_file");
  ssl::CertPtr leaf(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    return invalid_argument(fmt::format("{} is not a PEM certificate", cert_file), "cert_file");
  }
  ssl::CertStackPtr chain(sk_X509_new_null());
  while (X509* extra = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(chain.get(), extra);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  ssl::StoreContextPtr context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), SSL_CTX_get_cert_store(ctx), leaf.get(),
                                      chain.get()) != 1) {
    return internal_error("cannot verify the channel certificate: " + ssl::openssl_error());
  }
  if (X509_verify_cert(context.get()) != 1) {
    return invalid_argument(
        fmt::format("{} does not chain to the agent CA {}: {}", cert_file, ca_file,
                    X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()))),
        "cert_file");
  }
  return ok();
}

std::string common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string name(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

bool refuse(X509_STORE_CTX* store, PeerCheck& check, std::string why) {
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  check.verified = false;
  check.refusal = std::move(why);
  return false;
}

}  // namespace

Status configure_agent_tls(SSL_CTX* ctx, const std::string& ca_file, const std::string& cert_file) {
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return invalid_argument(
        fmt::format("cannot load the agent CA {}: {}", ca_file, ssl::openssl_error()), "ca_file");
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
  if (names == nullptr) {
    return invalid_argument(fmt::format("{} holds no CA certificate", ca_file), "ca_file");
  }
  SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  SENTINEL_TRY(check_signed_by_ca(ctx, cert_file, ca_file));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // A resumed session skips the verify callback, and with it the revocation check.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  return ok();
}

Result<PeerCertificate> describe_certificate(X509* cert) {
  PeerCertificate peer;
  peer.common_name = common_name(cert);
  if (peer.common_name.empty()) {
    return invalid_argument("the client certificate has no subject common name", "subject.CN");
  }
  peer.serial_hex = ssl::serial_hex(cert);
  peer.fingerprint_sha256 = ssl::fingerprint_sha256(cert);
  peer.not_after_ms = ssl::time_ms(X509_get0_notAfter(cert));
  return peer;
}

bool allows_client_auth(X509* cert) {
  // X509_get_extended_key_usage() reports "everything" when the extension is absent.
  return (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0 &&
         (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0;
}

bool verify_agent_certificate(bool preverified, X509_STORE_CTX* store, ChannelHandler& handler,
                              PeerCheck& check) {
  const int depth = X509_STORE_CTX_get_error_depth(store);
  if (!preverified) {
    check.verified = false;
    check.refusal = fmt::format("certificate at depth {}: {}", depth,
                                X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
    return false;
  }
  if (depth != 0) return true;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf == nullptr) return refuse(store, check, "no client certificate");
  if (!allows_client_auth(leaf)) {
    return refuse(store, check, "the client certificate lacks extended key usage clientAuth");
  }
  auto peer = describe_certificate(leaf);
  if (!peer) return refuse(store, check, peer.error().message);
  bool allowed = false;
  try {
    allowed = handler.certificate_allowed(*peer);
  } catch (const std::exception& e) {
    gateway_log().error("agent certificate check threw cn={} error=\"{}\"", peer->common_name,
                        e.what());
  }
  if (!allowed) {
    check.peer = std::move(*peer);
    return refuse(store, check, "the agent certificate is not allowed (revoked or unknown)");
  }
  check.peer = std::move(*peer);
  check.verified = true;
  check.refusal.clear();
  return true;
}

}  // namespace sentinel::gateway
