// Which parser reads a message: by program, except for PAM messages and audit records, which
// look the same whoever logged them.

#include "agent/collectors/logs/kernel_message.h"
#include "agent/collectors/logs/program_parsers.h"
#include "agent/collectors/logs/text_scan.h"

namespace sentinel::agent::logs {
namespace {

bool is_account_program(std::string_view program) {
  static constexpr std::string_view kPrograms[] = {"useradd",  "usermod",  "userdel", "groupadd",
                                                   "groupmod", "groupdel", "passwd",  "chage",
                                                   "chpasswd", "gpasswd"};
  for (std::string_view known : kPrograms) {
    if (program == known) return true;
  }
  return false;
}

bool is_audit_record(std::string_view message) {
  return (message.starts_with("type=") || message.starts_with("node=")) &&
         message.find("audit(") != std::string_view::npos;
}

// rsyslog's "message repeated N times: [ TEXT]" → TEXT.
std::string_view unwrap_repeated(std::string_view message) {
  std::string_view text = message;
  if (!scan::consume(text, "message repeated ")) return message;
  const std::string_view count = scan::take_word(text);
  if (!scan::parse_uint(count) || !scan::consume(text, "times: [ ") || !text.ends_with("]")) {
    return message;
  }
  text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view module_of(std::string_view program) {
  if (program == "sshd" || program == "sshd-session") return "sshd";
  if (program == "sudo" || program == "su" || program == "login" || program == "kernel") {
    return program;
  }
  if (program == "CRON" || program == "cron" || program == "CROND" || program == "crond" ||
      program == "crontab") {
    return "cron";
  }
  if (program == "audit" || program == "auditd" || program == "audisp-syslog" ||
      program == "audispd") {
    return "audit";
  }
  if (is_account_program(program)) return program;
  return "syslog";
}

void parse_program_message(std::string_view program, std::string_view message, LineFields& out,
                           std::int64_t& time_ms) {
  message = unwrap_repeated(message);
  if (message.starts_with("pam_") && message.find("): ") != std::string_view::npos) {
    out.add("event.module", "pam");
    parse_pam(message, out);
    return;
  }
  std::string_view module = module_of(program);
  if (module == "kernel") {
    std::string_view text = strip_kernel_timestamp(message);
    if (scan::consume(text, "audit: ")) {
      out.add("event.module", "audit");
      parse_audit(text, out, time_ms);
      return;
    }
  }
  if (is_audit_record(message)) module = "audit";
  out.add("event.module", module);
  if (module == "sshd") {
    parse_sshd(message, out);
  } else if (module == "sudo") {
    parse_sudo(message, out);
  } else if (module == "su") {
    parse_su(message, out);
  } else if (module == "login") {
    parse_login(message, out);
  } else if (module == "cron") {
    parse_cron(message, out);
  } else if (module == "kernel") {
    parse_kernel(message, out);
  } else if (module == "audit") {
    parse_audit(message, out, time_ms);
  } else if (module != "syslog") {
    parse_account_change(program, message, out);
  }
}

}  // namespace sentinel::agent::logs
