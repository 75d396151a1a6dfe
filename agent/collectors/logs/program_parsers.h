#pragma once
// One parser per program, each reading the message of a line (what follows "prog[pid]: ") into
// the ECS fields of ADR 0004. Hand-written over string_view: they run on every line the agent
// reads, and must not be fooled by what a remote user can put in a message (a user name holding
// "from 1.2.3.4 port 22" must not make 1.2.3.4 the source), so addresses are taken from the
// fixed end of each message.
//
// Each parser adds `event.category`, `event.action`, `event.outcome` and its entity fields for
// the messages it knows and returns true; it returns false for the others, having added nothing
// (parse_pam and parse_audit still add what they could read: the module, the record).
// None adds `event.module`: parse_program_message does, so that an unknown message of a known
// program still names its module.

#include <cstdint>
#include <string_view>

#include "agent/collectors/logs/line_fields.h"

namespace sentinel::agent::logs {

/// OpenSSH's sshd (and sshd-session): logins, invalid users, pre-auth disconnects.
bool parse_sshd(std::string_view message, LineFields& out);

/// sudo: commands run ("user : TTY=... ; PWD=... ; USER=... ; COMMAND=..."), refusals.
bool parse_sudo(std::string_view message, LineFields& out);

/// su (util-linux and shadow formats): switches of user, successful or not.
bool parse_su(std::string_view message, LineFields& out);

/// PAM modules' messages ("pam_unix(sshd:auth): authentication failure; ...", sessions), from
/// whichever program logged them.
bool parse_pam(std::string_view message, LineFields& out);

/// login (shadow and util-linux formats): FAILED LOGIN, ROOT LOGIN, TOO MANY LOGIN TRIES.
bool parse_login(std::string_view message, LineFields& out);

/// shadow-utils: useradd, usermod, userdel, groupadd, groupmod, groupdel, passwd, chage,
/// chpasswd, gpasswd. `program` is the one that logged.
bool parse_account_change(std::string_view program, std::string_view message, LineFields& out);

/// cron and crontab (Debian's cron and cronie): jobs run, crontabs edited.
bool parse_cron(std::string_view message, LineFields& out);

/// The kernel: segfaults and traps, OOM kills, iptables/nftables LOG lines.
bool parse_kernel(std::string_view message, LineFields& out);

/// One audit record: "[node=N ]type=T msg=audit(SECONDS.MS:SERIAL): key=value ..." as auditd
/// writes it, or the kernel's "audit: type=NNNN audit(SECONDS.MS:SERIAL): ...". Every key=value
/// becomes `audit.<key>` (quoted values unquoted, hex-encoded ones decoded), the well-known ones
/// also their ECS names. `time_ms` receives the record's own time.
bool parse_audit(std::string_view message, LineFields& out, std::int64_t& time_ms);

/// The module a program's messages belong to ("sshd", "cron", ...; "syslog" for programs
/// without a parser of their own).
std::string_view module_of(std::string_view program);

/// Adds `event.module` and the fields of the right parser for `message` logged by `program`:
/// PAM messages go to parse_pam and audit records to parse_audit whoever logged them; rsyslog's
/// "message repeated N times: [ ... ]" is unwrapped first. `time_ms` is replaced when the
/// message carries its own time (audit records).
void parse_program_message(std::string_view program, std::string_view message, LineFields& out,
                           std::int64_t& time_ms);

}  // namespace sentinel::agent::logs
