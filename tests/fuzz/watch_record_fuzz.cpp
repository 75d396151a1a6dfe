// The agent reads records from its watcher child, which is less trusted than the agent: any
// byte stream must give records or a clean error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/watch/watch_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)sentinel::agent::watch::decode_batch(bytes);
  sentinel::agent::watch::FrameReader reader;
  // Fed in two pieces, so that reassembly across reads is exercised too.
  const std::size_t half = size / 2;
  if (auto first = reader.feed(bytes.substr(0, half)); first) (void)reader.feed(bytes.substr(half));
  return 0;
}
