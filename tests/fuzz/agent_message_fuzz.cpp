// Arbitrary bytes as an agent channel frame, decoded both as an agent message (what the server
// does with frames from hosts it does not trust) and as a server message. A decoder answers with
// a message or an error naming what is wrong, never crashes; whatever decodes must re-encode to a
// frame that decodes to the same message (no information lost or invented by the codec).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sentinel/protocol/agent_protocol.h"

using namespace sentinel;
using namespace sentinel::protocol;

namespace {

void check_error(const Error& error) {
  // Every error is invalid input, and its message starts with the path at fault.
  if (error.code != ErrorCode::kInvalidArgument) std::abort();
  const std::size_t colon = error.message.find(": ");
  if (colon == 0 || colon == std::string::npos) std::abort();
}

template <typename Message, typename Decode>
void check_round_trip(const Result<Message>& decoded, Decode decode) {
  if (!decoded) {
    check_error(decoded.error());
    return;
  }
  const std::string frame = encode(*decoded);
  if (frame.rfind(std::string("{\"type\":\"") + std::string(message_type(*decoded)) + "\"", 0) !=
      0) {
    std::abort();
  }
  auto again = decode(frame);
  if (!again || !(*again == *decoded)) std::abort();
  if (encode(*again) != frame) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  check_round_trip(decode_agent_message(frame), decode_agent_message);
  check_round_trip(decode_server_message(frame), decode_server_message);
  auto event_data = parse_event_data(frame);
  if (!event_data) check_error(event_data.error());
  return 0;
}
