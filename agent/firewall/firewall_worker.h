#pragma once
// The firewall enforcer worker (ADR 0006): owns `table inet sentinel` of its network namespace
// and the commit-confirm state, and answers the agent's requests over a socket. The agent runs
// it in a confined child (CAP_NET_ADMIN only, seccomp profile `firewall`), or in a thread of
// its own when the sandbox is turned off; the worker is the same either way.

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "agent/firewall/worker_protocol.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// Answers one request.
using WorkerHandler = std::function<Result<boost::json::object>(const WorkerRequest&)>;

/// Reads requests from `fd` and writes each answer until the agent closes its end. Returns the
/// exit status: 0 at a clean end, 1 when the stream broke or a request was malformed (the
/// agent then restarts the worker).
int serve_worker_requests(int fd, const WorkerHandler& handle);

/// The worker's whole life: the real table (libnftables, the calling process's namespace), the
/// state in `state_dir` (a relative path works: the confined child changes into it before it
/// drops its privileges), and requests from `fd`: the channel's firewall commands, "recover"
/// and "maintain" {"drift": bool}. When the table or the state cannot be set up, every request
/// is answered with that error, so that the agent can say why enforcement is unavailable.
/// Returns the exit status.
int run_firewall_worker(int fd, const std::string& state_dir);

}  // namespace sentinel::agent::firewall
