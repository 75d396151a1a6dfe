#include "agent/collectors/process/connection_tracker.h"

#include <time.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/process/proc_reader.h"

namespace sentinel::agent::process {
namespace {

// The states of a connection that opened: attempts (SYN_SENT), open ones, and those closing
// while their process may still hold them, so that one that opened and began closing between
// two polls is still seen. TIME_WAIT and CLOSE have no owner left.
constexpr std::uint32_t kConnectionStates =
    state_bit(TcpState::kEstablished) | state_bit(TcpState::kSynSent) |
    state_bit(TcpState::kFinWait1) | state_bit(TcpState::kFinWait2) |
    state_bit(TcpState::kCloseWait) | state_bit(TcpState::kLastAck) | state_bit(TcpState::kClosing);
constexpr std::uint32_t kTableStates = kConnectionStates | state_bit(TcpState::kListen);

// A listening endpoint, ordered for binary search.
struct Listener {
  std::uint16_t port = 0;
  IpAddress address{};
  auto operator<=>(const Listener&) const = default;
};

IpAddress unspecified_ipv4() {
  IpAddress address{};
  address[10] = 0xff;
  address[11] = 0xff;
  return address;
}

// Whether a listener on the same port accepts on this socket's local address: it is bound to
// that address or to the wildcard of either family (a dual-stack "::" listener accepts IPv4).
bool accepted_by_listener(const std::vector<Listener>& listeners, const TcpSocket& socket) {
  const auto listens = [&](const IpAddress& address) {
    return std::binary_search(listeners.begin(), listeners.end(),
                              Listener{socket.local_port, address});
  };
  return listens(socket.local_address) || listens(IpAddress{}) || listens(unspecified_ipv4());
}

std::int64_t realtime_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

void add(std::vector<detection::Field>& fields, std::string name, std::string value) {
  if (!value.empty()) fields.push_back({std::move(name), std::move(value)});
}

}  // namespace

Result<ConnectionTracker> ConnectionTracker::create(ConnectionTrackerOptions options) {
  std::optional<SockDiag> diag;
  if (options.source != TcpTableSource::kProcNet) {
    // Opening the socket succeeds even without inet_diag: a first dump tells.
    auto opened = SockDiag::open();
    Status usable = opened ? Status() : Status(opened.error());
    if (opened) {
      auto probe = opened->dump(state_bit(TcpState::kListen));
      if (probe) {
        diag = std::move(*opened);
      } else {
        usable = std::move(probe).error();
      }
    }
    if (!usable) {
      const ErrorCode code = usable.error().code;
      const bool missing = code == ErrorCode::kUnavailable || code == ErrorCode::kPermissionDenied;
      if (options.source == TcpTableSource::kSockDiag || !missing) {
        return std::move(usable).error();
      }
    }
  }
  return ConnectionTracker(std::move(options), std::move(diag));
}

ConnectionTracker::ConnectionTracker(ConnectionTrackerOptions options, std::optional<SockDiag> diag)
    : options_(std::move(options)), diag_(std::move(diag)), user_names_(options_.passwd) {}

Result<std::vector<TcpSocket>> ConnectionTracker::read_table() {
  if (diag_) return diag_->dump(kTableStates);
  return read_proc_net_tcp(options_.proc, kTableStates);
}

Status ConnectionTracker::poll(std::vector<CollectedEvent>& events) {
  ++stats_.polls;
  SENTINEL_ASSIGN(table, read_table());

  std::vector<Listener> listeners;
  std::vector<TcpSocket> connections;
  for (const TcpSocket& socket : table) {
    if (socket.state == static_cast<int>(TcpState::kListen)) {
      listeners.push_back({socket.local_port, socket.local_address});
    } else if (connections.size() < options_.max_connections) {
      connections.push_back(socket);
    } else {
      ++stats_.connections_over_cap;
    }
  }
  std::sort(listeners.begin(), listeners.end());
  const auto key_of = [](const TcpSocket& socket) {
    return Key{socket.local_address, socket.local_port, socket.remote_address, socket.remote_port};
  };
  std::sort(connections.begin(), connections.end(),
            [&](const TcpSocket& a, const TcpSocket& b) { return key_of(a) < key_of(b); });

  std::vector<Key> known;
  std::vector<Key> deferred;
  std::vector<TcpSocket> fresh;
  std::vector<bool> inbound;
  known.reserve(connections.size());
  std::optional<Key> previous;
  for (const TcpSocket& socket : connections) {
    const Key key = key_of(socket);
    if (previous == key) continue;  // listed twice while it changed state during the dump
    previous = key;
    const bool is_new = baseline_taken_ && !std::binary_search(known_.begin(), known_.end(), key);
    if (!is_new) {
      known.push_back(key);
      continue;
    }
    const bool accepted = accepted_by_listener(listeners, socket);
    // In the accept queue a connection has no file yet, so no owner: give its server a poll.
    if (accepted && socket.inode == 0 && socket.state == static_cast<int>(TcpState::kEstablished) &&
        !std::binary_search(deferred_.begin(), deferred_.end(), key)) {
      deferred.push_back(key);
      continue;
    }
    known.push_back(key);
    fresh.push_back(socket);
    inbound.push_back(accepted);
  }
  known_ = std::move(known);
  deferred_ = std::move(deferred);
  baseline_taken_ = true;
  if (!fresh.empty()) report(fresh, inbound, events);
  return ok();
}

void ConnectionTracker::report(const std::vector<TcpSocket>& fresh,
                               const std::vector<bool>& inbound,
                               std::vector<CollectedEvent>& events) {
  const std::size_t count = std::min(fresh.size(), options_.max_events_per_poll);
  stats_.events_dropped += fresh.size() - count;
  user_names_.refresh();

  std::set<std::uint64_t> inodes;
  for (std::size_t i = 0; i < count; ++i) {
    if (fresh[i].inode != 0) inodes.insert(fresh[i].inode);
  }
  const auto owners = inodes.empty() ? std::map<std::uint64_t, inventory::SocketOwner>()
                                     : inventory::find_socket_owners(
                                           options_.proc, std::move(inodes), recent_owners_);
  std::map<std::int64_t, std::optional<ProcessDetails>> processes;  // read once per pid
  const std::int64_t now_ms = realtime_ms();

  for (std::size_t i = 0; i < count; ++i) {
    const TcpSocket& socket = fresh[i];
    CollectedEvent event;
    event.type = "network.connection";
    event.time_ms = now_ms;
    auto& fields = event.fields;
    // ECS: the source is the side that opened the connection.
    const bool in = inbound[i];
    add(fields, "network.direction", in ? "inbound" : "outbound");
    add(fields, "network.transport", "tcp");
    add(fields, "network.type", is_ipv4(socket.local_address) ? "ipv4" : "ipv6");
    add(fields, "source.ip", address_text(in ? socket.remote_address : socket.local_address));
    add(fields, "source.port", std::to_string(in ? socket.remote_port : socket.local_port));
    add(fields, "destination.ip", address_text(in ? socket.local_address : socket.remote_address));
    add(fields, "destination.port", std::to_string(in ? socket.local_port : socket.remote_port));

    const auto owner = owners.find(socket.inode);
    if (owner == owners.end()) {
      ++stats_.owners_unknown;
    } else {
      const std::int64_t pid = owner->second.pid;
      auto [process, inserted] = processes.try_emplace(pid);
      if (inserted) {
        auto details = read_process(options_.proc, pid, ProcessReadScope::kIdentity);
        if (details) process->second = std::move(*details);
        note_owner(pid);
      }
      add(fields, "process.pid", std::to_string(pid));
      if (process->second) {
        add(fields, "process.name", process->second->name);
        add(fields, "process.executable", process->second->executable);
      } else {
        add(fields, "process.name", owner->second.process);
      }
    }
    add(fields, "user.id", std::to_string(socket.uid));
    if (const std::string* name = user_names_.find(socket.uid)) add(fields, "user.name", *name);
    events.push_back(std::move(event));
    ++stats_.connections;
  }
}

void ConnectionTracker::note_owner(std::int64_t pid) {
  std::erase(recent_owners_, pid);
  recent_owners_.insert(recent_owners_.begin(), pid);
  if (recent_owners_.size() > options_.recent_owners) recent_owners_.resize(options_.recent_owners);
}

}  // namespace sentinel::agent::process
