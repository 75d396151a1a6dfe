// The agent reads records from its watcher child, which is less trusted than the agent: any
// byte stream must give records or a clean error, never a crash. The child's log lines are
// made fit for a record from any text (a path in a warning is anyone's bytes): whatever it
// makes of the input, the agent must accept, or the child would be restarted over a warning.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/watch/watch_protocol.h"

namespace {

using sentinel::agent::watch::WatchBatch;

// A log record the agent accepted re-encodes to one it accepts again, unchanged.
void check_log_round_trip(const WatchBatch& batch) {
  if (!batch.log) return;
  const std::string frame = sentinel::agent::watch::encode_frame(batch);
  auto again = sentinel::agent::watch::decode_batch(std::string_view(frame).substr(4));
  if (!again || !again->log || again->log->message != batch.log->message ||
      again->log->level != batch.log->level) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto decoded = sentinel::agent::watch::decode_batch(bytes); decoded) {
    check_log_round_trip(*decoded);
  }
  sentinel::agent::watch::FrameReader reader;
  // Fed in two pieces, so that reassembly across reads is exercised too.
  const std::size_t half = size / 2;
  if (auto first = reader.feed(bytes.substr(0, half)); first) (void)reader.feed(bytes.substr(half));

  // The input as the message of a log line the child sends.
  WatchBatch line;
  line.log = sentinel::agent::watch::make_log_line(sentinel::agent::watch::LogLevel::kWarn, bytes);
  const std::string frame = sentinel::agent::watch::encode_frame(line);
  if (!sentinel::agent::watch::decode_batch(std::string_view(frame).substr(4))) __builtin_trap();
  return 0;
}
