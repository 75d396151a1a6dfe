#pragma once
// Internal to sentinel_agent_logs: shared by the kernel parser and the dispatcher, which routes
// the kernel's "audit: ..." messages to the audit parser.

#include <string_view>

namespace sentinel::agent::logs {

/// `message` without a leading ring-buffer timestamp ("[ 1234.567890] ").
std::string_view strip_kernel_timestamp(std::string_view message);

}  // namespace sentinel::agent::logs
