// Linux audit records, as auditd writes them to audit.log (log_format RAW or ENRICHED) and as
// the kernel logs them when auditd is not running:
//   type=USER_AUTH msg=audit(1764118923.456:789): pid=1234 uid=0 auid=4294967295 ses=4294967295
//     subj=unconfined msg='op=PAM:authentication grantors=? acct="root" exe="/usr/sbin/sshd"
//     hostname=203.0.113.9 addr=203.0.113.9 terminal=ssh res=failed'<GS>UID="root" AUID="unset"
//   type=EXECVE msg=audit(...): argc=3 a0="ls" a1="-la" a2=2F746D702F6120622063
//   audit: type=1400 audit(1764118923.123:456): apparmor="DENIED" operation="open" ...
// Strings that may hold spaces or quotes are written either quoted or hex-encoded (unquoted,
// upper-case hex): those are decoded. <GS> (0x1D) separates ENRICHED's interpreted fields.

#include <string>

#include "agent/collectors/logs/line_sanitizer.h"
#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

constexpr int kMaxPairs = 64;
constexpr std::size_t kMaxKeyBytes = 48;
constexpr std::size_t kMaxTypeBytes = 32;
constexpr std::string_view kUnsetId = "4294967295";

// The record types a kernel-format record names by number (linux/audit.h).
std::string_view type_name(std::string_view type) {
  static constexpr std::pair<std::string_view, std::string_view> kNumbered[] = {
      {"1100", "USER_AUTH"}, {"1101", "USER_ACCT"},  {"1105", "USER_START"},
      {"1106", "USER_END"},  {"1112", "USER_LOGIN"}, {"1123", "USER_CMD"},
      {"1300", "SYSCALL"},   {"1302", "PATH"},       {"1305", "CONFIG_CHANGE"},
      {"1307", "CWD"},       {"1309", "EXECVE"},     {"1325", "NETFILTER_CFG"},
      {"1326", "SECCOMP"},   {"1327", "PROCTITLE"},  {"1400", "AVC"}};
  for (const auto& [number, name] : kNumbered) {
    if (type == number) return name;
  }
  return type;
}

std::string_view category_of(std::string_view type) {
  static constexpr std::pair<std::string_view, std::string_view> kCategories[] = {
      {"USER_AUTH", "authentication"},
      {"USER_ACCT", "authentication"},
      {"USER_ERR", "authentication"},
      {"USER_LOGIN", "authentication"},
      {"USER_LOGOUT", "authentication"},
      {"CRED_ACQ", "authentication"},
      {"CRED_DISP", "authentication"},
      {"CRED_REFR", "authentication"},
      {"ANOM_LOGIN_FAILURES", "authentication"},
      {"ANOM_LOGIN_LOCATION", "authentication"},
      {"USER_START", "session"},
      {"USER_END", "session"},
      {"LOGIN", "session"},
      {"ADD_USER", "iam"},
      {"DEL_USER", "iam"},
      {"ADD_GROUP", "iam"},
      {"DEL_GROUP", "iam"},
      {"USER_MGMT", "iam"},
      {"GRP_MGMT", "iam"},
      {"USER_CHAUTHTOK", "iam"},
      {"GRP_CHAUTHTOK", "iam"},
      {"ACCT_LOCK", "iam"},
      {"ACCT_UNLOCK", "iam"},
      {"USER_ROLE_CHANGE", "iam"},
      {"EXECVE", "process"},
      {"SYSCALL", "process"},
      {"PROCTITLE", "process"},
      {"USER_CMD", "process"},
      {"CONFIG_CHANGE", "configuration"},
      {"NETFILTER_CFG", "configuration"},
  };
  for (const auto& [name, category] : kCategories) {
    if (type == name) return category;
  }
  return {};
}

// Fields that audit encodes as hex when they hold anything but safe characters.
bool is_encoded_key(std::string_view key, bool execve) {
  static constexpr std::string_view kEncoded[] = {
      "acct", "cmd",       "comm", "cwd",         "data",       "exe",      "key",
      "name", "new",       "old",  "path",        "proctitle",  "root_dir", "watch",
      "grp",  "new_group", "vm",   "old-chardev", "new-chardev"};
  for (std::string_view encoded : kEncoded) {
    if (key == encoded) return true;
  }
  // EXECVE's arguments a0..aN (SYSCALL's a0..a3 are register values in hex: not strings).
  if (execve && key.size() >= 2 && key[0] == 'a') {
    return scan::parse_uint(key.substr(1)).has_value();
  }
  return false;
}

bool is_hex_string(std::string_view value) {
  if (value.size() < 2 || value.size() % 2 != 0) return false;
  for (char c : value) {
    if (!scan::is_digit(c) && (c < 'A' || c > 'F')) return false;
  }
  return true;
}

int hex_value(char c) { return scan::is_digit(c) ? c - '0' : c - 'A' + 10; }

bool is_key_char(char c) {
  return scan::is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '-';
}

bool is_separator(char c) { return c == ' ' || c == '\x1d'; }

// Reads the key=value pairs of one record into `out` and the ECS fields they map to.
class RecordReader {
 public:
  RecordReader(LineFields& out, bool execve) : out_(out), execve_(execve) {}

  void read(std::string_view text, int depth) {
    while (!text.empty() && pairs_ < kMaxPairs) {
      while (!text.empty() && is_separator(text.front())) text.remove_prefix(1);
      std::size_t key_end = 0;
      while (key_end < text.size() && is_key_char(text[key_end])) ++key_end;
      if (key_end == 0 || key_end >= text.size() || text[key_end] != '=') {
        // Not a pair: skip the word.
        while (!text.empty() && !is_separator(text.front())) text.remove_prefix(1);
        continue;
      }
      const std::string_view key = text.substr(0, key_end);
      text.remove_prefix(key_end + 1);
      if (!text.empty() && (text.front() == '"' || text.front() == '\'')) {
        const char quote = text.front();
        text.remove_prefix(1);
        const std::size_t close = text.find(quote);
        const std::string_view value = text.substr(0, close);
        text.remove_prefix(close == std::string_view::npos ? text.size() : close + 1);
        if (quote == '\'' && key == "msg" && depth == 0) {
          read(value, depth + 1);  // the user-space part: pairs of its own
        } else {
          take(key, value);
        }
        continue;
      }
      std::size_t end = 0;
      while (end < text.size() && !is_separator(text[end])) ++end;
      const std::string_view value = text.substr(0, end);
      text.remove_prefix(end);
      if (is_encoded_key(key, execve_) && is_hex_string(value)) {
        take(key, decode_hex(value, key == "proctitle"));
      } else {
        take(key, value);
      }
    }
  }

  /// EXECVE's arguments joined, as the command line.
  void finish() {
    if (!arguments_.empty()) out_.add_unique("process.command_line", arguments_);
  }

 private:
  std::string_view decode_hex(std::string_view hex, bool nul_is_space) {
    raw_.clear();
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      char c = static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1]));
      if (c == '\0' && nul_is_space) c = ' ';  // proctitle: NUL-separated argv
      raw_.push_back(c);
    }
    while (nul_is_space && !raw_.empty() && raw_.back() == ' ') raw_.pop_back();
    LineDefects defects;
    return sanitize_line(raw_, SanitizeOptions{}, decoded_, defects);
  }

  void take(std::string_view key, std::string_view value) {
    if (key.size() > kMaxKeyBytes) return;
    ++pairs_;
    name_.assign("audit.");
    name_.append(key);
    out_.add_unique(name_, value);
    map_ecs(key, value);
  }

  void map_ecs(std::string_view key, std::string_view value) {
    const auto set = [this](std::string_view name, std::string_view v) {
      if (!v.empty() && v != "?" && v != "(null)") out_.add_unique(name, v);
    };
    if (key == "pid") {
      if (scan::parse_uint(value)) set("process.pid", value);
    } else if (key == "ppid") {
      if (scan::parse_uint(value)) set("process.parent.pid", value);
    } else if (key == "comm") {
      set("process.name", value);
    } else if (key == "exe") {
      set("process.executable", value);
    } else if (key == "cwd") {
      set("process.working_directory", value);
    } else if (key == "uid") {
      if (value != kUnsetId) set("user.id", value);
    } else if (key == "auid") {
      if (value != kUnsetId) set("user.audit.id", value);
    } else if (key == "acct" || key == "UID") {
      set("user.name", value);
    } else if (key == "AUID") {
      if (value != "unset") set("user.audit.name", value);
    } else if (key == "addr") {
      if (scan::is_ip(value)) set("source.ip", value);
    } else if (key == "terminal") {
      std::string_view tty = value;
      scan::consume(tty, "/dev/");
      if (tty != "ssh") set("process.tty.name", tty);
    } else if (key == "res" || key == "success") {
      if (value == "success" || value == "yes" || value == "1") set("event.outcome", "success");
      if (value == "failed" || value == "no" || value == "0") set("event.outcome", "failure");
    } else if (key == "apparmor") {
      if (value == "DENIED") set("event.outcome", "failure");
    } else if (key == "cmd" || key == "proctitle") {
      set("process.command_line", value);
    } else if (execve_ && key.size() >= 2 && key[0] == 'a' && scan::parse_uint(key.substr(1))) {
      if (arguments_.size() + value.size() + 1 <= kMaxLineBytes) {
        if (!arguments_.empty()) arguments_.push_back(' ');
        arguments_.append(value);
      }
    }
  }

  LineFields& out_;
  bool execve_;
  int pairs_ = 0;
  std::string name_;
  std::string raw_;
  std::string decoded_;
  std::string arguments_;
};

// "USER_AUTH", "AVC", or a number the kernel did not name: letters, digits, '_'.
bool is_record_type(std::string_view type) {
  if (type.empty() || type.size() > kMaxTypeBytes) return false;
  for (char c : type) {
    if (!scan::is_digit(c) && (c < 'A' || c > 'Z') && c != '_') return false;
  }
  return true;
}

// "SECONDS.MS:SERIAL" → Unix ms and the serial.
bool parse_stamp(std::string_view stamp, std::int64_t& time_ms, std::string_view& serial) {
  const std::size_t dot = stamp.find('.');
  const std::size_t colon = stamp.find(':');
  if (dot == std::string_view::npos || colon == std::string_view::npos || colon < dot) {
    return false;
  }
  const auto seconds = scan::parse_uint(stamp.substr(0, dot));
  const std::string_view fraction = stamp.substr(dot + 1, colon - dot - 1);
  const auto ms = scan::parse_uint(fraction);
  serial = stamp.substr(colon + 1);
  if (!seconds || !ms || fraction.size() != 3 || !scan::parse_uint(serial)) return false;
  time_ms = *seconds * 1000 + *ms;
  return true;
}

}  // namespace

bool parse_audit(std::string_view message, LineFields& out, std::int64_t& time_ms) {
  std::string_view text = message;
  std::string_view node;
  if (scan::consume(text, "node=")) node = scan::take_word(text);
  if (!scan::consume(text, "type=")) return false;
  const std::string_view type = type_name(scan::take_word(text));
  scan::consume(text, "msg=");
  if (!is_record_type(type) || !scan::consume(text, "audit(")) return false;
  const std::size_t close = text.find(')');
  if (close == std::string_view::npos) return false;
  std::int64_t record_time = 0;
  std::string_view serial;
  if (!parse_stamp(text.substr(0, close), record_time, serial)) return false;
  text.remove_prefix(close + 1);
  scan::consume(text, ":");
  time_ms = record_time;

  const std::string_view category = category_of(type);
  detail::add_nonempty(out, "event.category", category);
  char action[kMaxTypeBytes];
  for (std::size_t i = 0; i < type.size(); ++i) action[i] = scan::lower(type[i]);
  out.add("event.action", std::string_view(action, type.size()));
  out.add("audit.type", type);
  out.add("audit.sequence", serial);
  detail::add_nonempty(out, "audit.node", node);

  RecordReader reader(out, type == "EXECVE");
  reader.read(text, 0);
  reader.finish();
  return true;
}

}  // namespace sentinel::agent::logs
