// Kernel messages (Linux 6.1 wordings):
//   nginx[4321]: segfault at 0 ip 00005581a1b2c3d4 sp 00007ffd12345678 error 4 in nginx[...]
//   traps: app[4321] general protection fault ip:7f... sp:7ff... error:0 in libc.so.6[...]
//   Out of memory: Killed process 4321 (java) total-vm:8127404kB, ..., UID:1000 pgtables:...
//   Memory cgroup out of memory: Killed process 4321 (java) total-vm:...
//   [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=203.0.113.9 DST=192.0.2.1 ... PROTO=TCP SPT=52144
//     DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0          (iptables/nftables LOG target)
// A "[ 1234.567890] " timestamp from the ring buffer may come first.

#include "agent/collectors/logs/kernel_message.h"
#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

using detail::add_event;
using detail::add_nonempty;
using scan::consume;

// "NAME[PID]" → name and pid; false unless PID is a number.
bool split_name_pid(std::string_view text, std::string_view& name, std::string_view& pid) {
  const std::size_t open = text.rfind('[');
  if (open == std::string_view::npos || open == 0 || text.back() != ']') return false;
  name = text.substr(0, open);
  pid = text.substr(open + 1, text.size() - open - 2);
  return scan::parse_uint(pid).has_value();
}

// Where a LOG target's "IN=<if> OUT=" starts, or npos.
std::size_t find_packet_fields(std::string_view text) {
  std::size_t at = 0;
  while ((at = text.find("IN=", at)) != std::string_view::npos) {
    std::string_view rest = text.substr(at + 3);
    scan::take_word(rest);
    if (rest.starts_with("OUT=")) return at;
    at += 3;
  }
  return std::string_view::npos;
}

bool parse_packet(std::string_view text, std::size_t fields_at, LineFields& out) {
  std::string_view prefix = scan::trim(text.substr(0, fields_at));
  std::string_view rest = text.substr(fields_at);
  std::string_view in, out_if, src, dst, proto, spt, dpt;
  while (!rest.empty()) {
    std::string_view token = scan::take_word(rest);
    if (consume(token, "IN=")) {
      in = token;
    } else if (consume(token, "OUT=")) {
      out_if = token;
    } else if (consume(token, "SRC=")) {
      src = token;
    } else if (consume(token, "DST=")) {
      dst = token;
    } else if (consume(token, "PROTO=")) {
      proto = token;
    } else if (consume(token, "SPT=")) {
      spt = token;
    } else if (consume(token, "DPT=")) {
      dpt = token;
    }
  }
  if (!scan::is_ip(src) || !scan::is_ip(dst)) return false;
  add_event(out, "network", "firewall_log");
  add_nonempty(out, "rule.name", prefix);
  add_nonempty(out, "observer.ingress.interface.name", in);
  add_nonempty(out, "observer.egress.interface.name", out_if);
  out.add("source.ip", src);
  out.add("destination.ip", dst);
  if (!proto.empty() && proto.size() <= 16) {
    char lowered[16];
    for (std::size_t i = 0; i < proto.size(); ++i) lowered[i] = scan::lower(proto[i]);
    out.add("network.transport", std::string_view(lowered, proto.size()));
  }
  detail::add_source_port(out, spt);
  if (scan::is_port(dpt)) out.add("destination.port", dpt);
  return true;
}

// "Killed process PID (NAME) total-vm:..., UID:N ..." (after the OOM preamble).
bool parse_oom_kill(std::string_view text, std::string_view reason, LineFields& out) {
  const std::string_view pid = scan::take_word(text);
  if (!scan::parse_uint(pid) || !consume(text, "(")) return false;
  const std::size_t close = text.find(')');
  if (close == std::string_view::npos) return false;
  const std::string_view name = text.substr(0, close);
  add_event(out, "process", "oom_kill");
  out.add("process.pid", pid);
  add_nonempty(out, "process.name", name);
  const std::size_t uid_at = text.find(" UID:", close);
  if (uid_at != std::string_view::npos) {
    std::string_view uid = text.substr(uid_at + 5);
    uid = uid.substr(0, uid.find(' '));
    if (scan::parse_uint(uid)) out.add("user.id", uid);
  }
  add_nonempty(out, "event.reason", reason);
  return true;
}

}  // namespace

std::string_view strip_kernel_timestamp(std::string_view message) {
  if (!message.starts_with("[")) return message;
  const std::size_t close = message.find(']');
  if (close == std::string_view::npos || close > 20) return message;
  for (std::size_t i = 1; i < close; ++i) {
    const char c = message[i];
    if (!scan::is_digit(c) && c != '.' && c != ' ') return message;
  }
  return scan::trim(message.substr(close + 1));
}

bool parse_kernel(std::string_view message, LineFields& out) {
  std::string_view text = strip_kernel_timestamp(message);
  if (const std::size_t at = find_packet_fields(text); at != std::string_view::npos) {
    return parse_packet(text, at, out);
  }
  if (const std::size_t at = text.find("]: segfault at "); at != std::string_view::npos) {
    std::string_view name, pid;
    if (!split_name_pid(text.substr(0, at + 1), name, pid)) return false;
    add_event(out, "process", "segfault");
    out.add("process.name", name);
    out.add("process.pid", pid);
    return true;
  }
  if (consume(text, "traps: ")) {
    const std::size_t close = text.find("] ");
    if (close == std::string_view::npos) return false;
    std::string_view name, pid;
    if (!split_name_pid(text.substr(0, close + 1), name, pid)) return false;
    std::string_view reason = text.substr(close + 2);
    reason = reason.substr(0, reason.find(" ip:"));
    add_event(out, "process", "trap");
    out.add("process.name", name);
    out.add("process.pid", pid);
    add_nonempty(out, "event.reason", reason);
    return true;
  }
  if (consume(text, "Out of memory: ")) {
    if (consume(text, "Killed process ") || consume(text, "Kill process ")) {
      return parse_oom_kill(text, {}, out);
    }
    return false;
  }
  if (consume(text, "Memory cgroup out of memory: ")) {
    if (consume(text, "Killed process ") || consume(text, "Kill process ")) {
      return parse_oom_kill(text, "memory cgroup", out);
    }
    return false;
  }
  return false;
}

}  // namespace sentinel::agent::logs
