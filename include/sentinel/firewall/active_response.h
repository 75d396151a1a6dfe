#pragma once
// Active response (ADR 0006): turns the block requests that detection rules carry
// (`response: block:`) into blocks, off the detect thread.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/detection/detection.h"
#include "sentinel/firewall/block_service.h"
#include "sentinel/server/service.h"

namespace sentinel::firewall {

/// Queue bound.
struct ActiveResponseOptions {
  /// Detections waiting at most; beyond that one is dropped and logged.
  std::size_t max_queued = 1024;
};

/// Thread-safe. submit() only copies the request into a bounded queue; one worker of its own
/// takes the address from the detection (the rule's field in the event that fired it, else the
/// entity), resolves the scope (the detection's agent, that agent's group, or every agent) and
/// calls BlockService::block(), which checks the allow-list, escalates, stores and dispatches.
/// start() starts the worker; stop() refuses new detections and finishes the queued ones.
class ActiveResponse : public server::Service {
 public:
  /// `blocks` and `registry` must outlive the active response.
  static std::unique_ptr<ActiveResponse> create(BlockService& blocks,
                                                agents::AgentRegistry& registry,
                                                ActiveResponseOptions options = {});

  /// Queues the detection's block request; does nothing for a detection without one. Never
  /// blocks. False when the request was dropped (queue full or stopped).
  virtual bool submit(const detection::Detection& detection, std::int64_t alert_id) = 0;
  /// Blocks until every detection submitted before the call has been handled (tests).
  virtual void flush() = 0;
};

}  // namespace sentinel::firewall
