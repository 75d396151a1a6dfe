// OpenSSH sshd messages (9.x as on Debian 12; older wordings where they differ). The user name
// is whatever the client sent, so it may hold spaces and even "from X port N": addresses are
// always taken from the right-most well-formed "ADDRESS port N".

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

using detail::add_event;
using detail::add_nonempty;
using detail::kFailure;
using detail::kSuccess;
using scan::consume;
using scan::consume_suffix;

constexpr std::string_view kAuthentication = "authentication";
constexpr std::string_view kNetwork = "network";

struct Peer {
  std::string_view address;
  std::string_view port;
};

void add_peer(LineFields& out, const Peer& peer) {
  detail::add_source(out, peer.address);
  detail::add_source_port(out, peer.port);
}

// "... from ADDRESS port PORT[tail]": the right-most " from " followed by an address and a port.
// `before` receives what precedes it.
bool split_from_peer(std::string_view text, std::string_view& before, Peer& peer) {
  std::size_t limit = text.size();
  while (limit > 0) {
    const std::size_t at = text.rfind(" from ", limit);
    if (at == std::string_view::npos) return false;
    std::string_view rest = text.substr(at + 6);
    const std::string_view address = scan::take_word(rest);
    if (!address.empty() && consume(rest, "port ")) {
      const std::string_view port = rest.substr(0, rest.find_first_of(" :"));
      if (scan::is_port(port)) {
        before = text.substr(0, at);
        peer = {address, port};
        return true;
      }
    }
    if (at == 0) return false;
    limit = at - 1;
  }
  return false;
}

// "...ADDRESS port PORT" at the very end of `text`.
bool split_trailing_peer(std::string_view text, std::string_view& before, Peer& peer) {
  const std::size_t port_at = text.rfind(" port ");
  if (port_at == std::string_view::npos) return false;
  const std::string_view port = text.substr(port_at + 6);
  const std::string_view head = text.substr(0, port_at);
  const std::size_t space = head.rfind(' ');
  const std::string_view address = space == std::string_view::npos ? head : head.substr(space + 1);
  if (!scan::is_port(port) || address.empty()) return false;
  before = space == std::string_view::npos ? std::string_view() : head.substr(0, space);
  peer = {address, port};
  return true;
}

// "invalid user NAME", "authenticating user NAME", "user NAME" or nothing, before a peer.
// Returns the name; `invalid` tells the first form.
std::string_view user_qualifier(std::string_view text, bool& invalid) {
  invalid = consume(text, "invalid user ");
  if (invalid || consume(text, "authenticating user ") || consume(text, "user ")) return text;
  return {};
}

// "Failed|Accepted METHOD for [invalid user ]NAME from ADDRESS port N ssh2[: KEY]".
bool parse_login(std::string_view text, std::string_view outcome, LineFields& out) {
  const std::string_view method = scan::take_word(text);
  std::string_view subject;
  Peer peer;
  if (method.empty() || !consume(text, "for ") || !split_from_peer(text, subject, peer)) {
    return false;
  }
  const bool invalid = consume(subject, "invalid user ");
  add_event(out, kAuthentication, "ssh_login", outcome);
  add_nonempty(out, "user.name", subject);
  add_peer(out, peer);
  out.add("ssh.method", method);
  if (invalid) out.add("event.reason", "invalid user");
  return true;
}

// "Connection closed by ...", "Disconnected from ...", "Connection reset by ...": the user
// qualifier and the peer; a failure when it happened before authentication.
bool parse_peer_event(std::string_view text, std::string_view action, bool preauth,
                      LineFields& out) {
  std::string_view before;
  Peer peer;
  if (!split_trailing_peer(text, before, peer)) return false;
  bool invalid = false;
  const std::string_view user = user_qualifier(before, invalid);
  add_event(out, kAuthentication, action, preauth ? kFailure : std::string_view());
  add_nonempty(out, "user.name", user);
  add_peer(out, peer);
  if (invalid) out.add("event.reason", "invalid user");
  return true;
}

// "Disconnecting [qualifier NAME ]ADDRESS port N: REASON". Some reasons quote user names, so
// the right-most " port N: " is taken, as with the other forms.
bool parse_disconnecting(std::string_view text, LineFields& out) {
  std::size_t limit = std::string_view::npos;
  while (true) {
    const std::size_t port_at = text.rfind(" port ", limit);
    if (port_at == std::string_view::npos) return false;
    const std::string_view rest = text.substr(port_at + 6);
    const std::string_view port = rest.substr(0, rest.find(':'));
    if (scan::is_port(port) && rest.substr(port.size()).starts_with(": ")) {
      const std::string_view head = text.substr(0, port_at);
      const std::size_t space = head.rfind(' ');
      const std::string_view address =
          space == std::string_view::npos ? head : head.substr(space + 1);
      bool invalid = false;
      const std::string_view user = user_qualifier(
          space == std::string_view::npos ? std::string_view() : head.substr(0, space), invalid);
      const std::string_view reason = rest.substr(port.size() + 2);
      const bool too_many = reason.starts_with("Too many authentication failures");
      add_event(out, kAuthentication, too_many ? "ssh_too_many_auth_failures" : "ssh_disconnected",
                kFailure);
      add_nonempty(out, "user.name", user);
      add_peer(out, {address, port});
      add_nonempty(out, "event.reason", reason);
      return true;
    }
    if (port_at == 0) return false;
    limit = port_at - 1;
  }
}

// "maximum authentication attempts exceeded for [invalid user ]NAME from ADDRESS port N ssh2".
bool parse_max_attempts(std::string_view text, LineFields& out) {
  std::string_view subject;
  Peer peer;
  if (!split_from_peer(text, subject, peer)) return false;
  const bool invalid = consume(subject, "invalid user ");
  add_event(out, kAuthentication, "ssh_too_many_auth_failures", kFailure);
  add_nonempty(out, "user.name", subject);
  add_peer(out, peer);
  out.add("event.reason", invalid ? "maximum authentication attempts exceeded, invalid user"
                                  : "maximum authentication attempts exceeded");
  return true;
}

// "Received disconnect from ADDRESS port N:CODE: REASON".
bool parse_received_disconnect(std::string_view text, bool preauth, LineFields& out) {
  std::string_view address_part = text;
  const std::string_view address = scan::take_word(address_part);
  if (!consume(address_part, "port ")) return false;
  const std::string_view port = scan::take_until(address_part, ":");
  if (!scan::is_port(port)) return false;
  scan::take_until(address_part, ": ");  // the disconnect code
  add_event(out, kAuthentication, "ssh_disconnected", preauth ? kFailure : std::string_view());
  add_peer(out, {address, port});
  add_nonempty(out, "event.reason", address_part);
  return true;
}

// A connection-level failure: "PREFIX ADDRESS port N[: REASON]".
bool parse_connection_failure(std::string_view text, std::string_view action,
                              std::string_view category, LineFields& out) {
  const std::string_view address = scan::take_word(text);
  if (!consume(text, "port ")) return false;
  const std::string_view port = scan::take_until(text, ":");
  if (!scan::is_port(port)) return false;
  add_event(out, category, action, kFailure);
  add_peer(out, {address, port});
  add_nonempty(out, "event.reason", scan::trim(text));
  return true;
}

// "User NAME from ADDRESS not allowed because REASON".
bool parse_not_allowed(std::string_view text, LineFields& out) {
  const std::size_t because = text.rfind(" not allowed because ");
  if (because == std::string_view::npos) return false;
  const std::string_view reason = text.substr(because + 21);
  const std::string_view subject = text.substr(0, because);
  const std::size_t from = subject.rfind(" from ");
  if (from == std::string_view::npos) return false;
  add_event(out, kAuthentication, "ssh_user_not_allowed", kFailure);
  add_nonempty(out, "user.name", subject.substr(0, from));
  detail::add_source(out, subject.substr(from + 6));
  add_nonempty(out, "event.reason", reason);
  return true;
}

// "PAM N more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR  user=U".
bool parse_pam_summary(std::string_view text, LineFields& out) {
  const std::size_t rhost = text.find(" rhost=");
  if (rhost == std::string_view::npos) return false;
  std::string_view rest = text.substr(rhost + 7);
  const std::string_view host = scan::take_word(rest);
  const std::size_t user_at = rest.find("user=");
  add_event(out, kAuthentication, "ssh_auth_failures", kFailure);
  if (user_at != std::string_view::npos) {
    add_nonempty(out, "user.name", scan::trim(rest.substr(user_at + 5)));
  }
  detail::add_source(out, host);
  out.add("event.reason", text.substr(0, text.find(';')));
  return true;
}

// "Connection from ADDRESS port N on ADDRESS port N[ rdomain ...]" (LogLevel VERBOSE).
bool parse_connection(std::string_view text, LineFields& out) {
  const std::string_view address = scan::take_word(text);
  if (!consume(text, "port ")) return false;
  const std::string_view port = scan::take_word(text);
  if (!consume(text, "on ")) return false;
  const std::string_view local = scan::take_word(text);
  if (!consume(text, "port ")) return false;
  const std::string_view local_port = scan::take_word(text);
  if (!scan::is_port(port) || !scan::is_port(local_port)) return false;
  add_event(out, kNetwork, "ssh_connection");
  add_peer(out, {address, port});
  if (scan::is_ip(local)) out.add("destination.ip", local);
  out.add("destination.port", local_port);
  return true;
}

}  // namespace

bool parse_sshd(std::string_view message, LineFields& out) {
  std::string_view text = message;
  const bool preauth = consume_suffix(text, " [preauth]");
  consume(text, "error: ");
  if (consume(text, "Failed ")) return parse_login(text, kFailure, out);
  if (consume(text, "Accepted ")) return parse_login(text, kSuccess, out);
  if (consume(text, "Invalid user ")) {
    std::string_view user;
    Peer peer;
    if (!split_from_peer(text, user, peer)) return false;
    add_event(out, kAuthentication, "ssh_invalid_user", kFailure);
    add_nonempty(out, "user.name", user);
    add_peer(out, peer);
    return true;
  }
  if (consume(text, "Connection closed by ")) {
    return parse_peer_event(text, "ssh_connection_closed", preauth, out);
  }
  if (consume(text, "Connection reset by ")) {
    return parse_peer_event(text, "ssh_connection_reset", preauth, out);
  }
  if (consume(text, "Disconnected from ")) {
    return parse_peer_event(text, "ssh_disconnected", preauth, out);
  }
  if (consume(text, "Disconnecting ")) return parse_disconnecting(text, out);
  if (consume(text, "maximum authentication attempts exceeded for ")) {
    return parse_max_attempts(text, out);
  }
  if (consume(text, "Received disconnect from ")) {
    return parse_received_disconnect(text, preauth, out);
  }
  if (consume(text, "Did not receive identification string from ")) {
    return parse_connection_failure(text, "ssh_no_identification", kNetwork, out);
  }
  if (consume(text, "Unable to negotiate with ")) {
    return parse_connection_failure(text, "ssh_negotiation_failed", kNetwork, out);
  }
  if (consume(text, "banner exchange: Connection from ")) {
    return parse_connection_failure(text, "ssh_bad_banner", kNetwork, out);
  }
  if (consume(text, "Timeout before authentication for ")) {
    return parse_connection_failure(text, "ssh_auth_timeout", kAuthentication, out);
  }
  if (consume(text, "User ")) return parse_not_allowed(text, out);
  if (consume(text, "PAM ")) return parse_pam_summary(text, out);
  if (consume(text, "Connection from ")) return parse_connection(text, out);
  return false;
}

}  // namespace sentinel::agent::logs
