// Fuzzes the detect service's reader of bus event messages (src/detect/normaliser.h): with NATS
// these come over the network from other nodes. Properties: it never crashes; a refusal is
// kInvalidArgument with a message; an event read keeps the message's id and type and carries
// event.type and agent.id among its fields.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "src/detect/normaliser.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto event = sentinel::detect::normalise(payload, [](const std::string& agent) {
    return agent.empty() ? std::string() : "host-of-" + agent;
  });
  if (!event) {
    check(event.error().code == sentinel::ErrorCode::kInvalidArgument);
    check(!event.error().message.empty());
    return 0;
  }
  check(event->find("event.type") != nullptr);
  check(event->find("agent.id") != nullptr);
  if (!event->agent_id.empty()) check(event->find("host.name") != nullptr);
  return 0;
}
