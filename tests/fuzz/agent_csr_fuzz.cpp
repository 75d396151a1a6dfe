// Runs the agent CA's certificate request check on arbitrary bytes, as an enrolling client sends
// them: a certificate comes out only for a request that parses, holds an accepted key and is
// signed by it; anything else is a kInvalidArgument error, never a crash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>

#include "sentinel/agents/certificate_authority.h"
#include "sentinel/common/clock.h"

namespace {

// One CA for the whole run, in a directory of its own under the system temp dir, removed at exit.
struct Fixture {
  Fixture() {
    char made[] = "/tmp/agent-csr-fuzz-XXXXXX";
    if (::mkdtemp(made) == nullptr) std::abort();
    dir = made;
    auto opened = sentinel::agents::CertificateAuthority::open_or_create(dir / "ca", clock);
    if (!opened) std::abort();
    ca = std::move(*opened);
  }
  ~Fixture() {
    ca.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  sentinel::SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<sentinel::agents::CertificateAuthority> ca;
};

const sentinel::agents::CertificateAuthority& authority() {
  static const Fixture fixture;
  return *fixture.ca;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view csr(reinterpret_cast<const char*>(data), size);
  const auto issued = authority().sign_agent_csr(csr, "agent-fuzz", std::chrono::hours(1));
  if (issued) {
    if (issued->certificate_pem.empty() || issued->serial_hex.empty()) std::abort();
  } else if (issued.error().code != sentinel::ErrorCode::kInvalidArgument) {
    std::abort();
  }
  return 0;
}
