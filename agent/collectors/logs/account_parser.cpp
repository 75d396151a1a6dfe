// shadow-utils' log lines (4.13 as on Debian 12), one program per event.module:
//   useradd: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=...
//            new group: name=bob, GID=1001          add 'bob' to group 'sudo'
//   usermod: change user 'bob' shell from '/bin/bash' to '/bin/zsh'    lock user 'bob' password
//            change user name 'bob' to 'robert'     delete 'bob' from group 'sudo'
//   userdel: delete user 'bob'                      removed group 'bob' owned by 'bob'
//   groupadd/groupdel: new group: name=devs, GID=1002    group 'devs' removed
//   groupmod: group changed in /etc/group (group devs/1002, new name: developers)
//   passwd:  password for 'bob' changed by 'root'   chage: changed password expiry for bob
//   gpasswd: user alice added by root to group docker
// The lines that only say a database file was updated ("group added to /etc/gshadow: ...",
// "add 'bob' to shadow group 'sudo'") repeat an event already logged and are left unparsed.

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

using detail::add_nonempty;
using scan::consume;

std::string_view take_quoted(std::string_view& text) {
  if (!consume(text, "'")) return {};
  return scan::take_until(text, "'");
}

void add_iam(LineFields& out, std::string_view action) {
  detail::add_event(out, "iam", action, detail::kSuccess);
}

// "name=bob, UID=1001, GID=1001, home=..." → the value of KEY ("" when absent).
std::string_view attribute(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    std::string_view part = scan::take_until(text, ", ");
    if (consume(part, key) && consume(part, "=")) return part;
  }
  return {};
}

// "new user: ..." / "new group: ..."
bool parse_new(std::string_view text, LineFields& out) {
  if (consume(text, "user: ")) {
    add_iam(out, "user_created");
    add_nonempty(out, "user.target.name", attribute(text, "name"));
    add_nonempty(out, "user.target.id", attribute(text, "UID"));
    add_nonempty(out, "group.id", attribute(text, "GID"));
    return true;
  }
  if (consume(text, "group: ")) {
    add_iam(out, "group_created");
    add_nonempty(out, "group.name", attribute(text, "name"));
    add_nonempty(out, "group.id", attribute(text, "GID"));
    return true;
  }
  return false;
}

// "add 'U' to group 'G'" / "delete 'U' from group 'G'" (not the "shadow group" echoes).
bool parse_membership(std::string_view text, bool add, LineFields& out) {
  const std::string_view user = take_quoted(text);
  if (user.empty() || !consume(text, add ? " to group " : " from group ")) return false;
  add_iam(out, add ? "user_added_to_group" : "user_removed_from_group");
  out.add("user.target.name", user);
  add_nonempty(out, "group.name", take_quoted(text));
  return true;
}

// usermod's "change user ..." / "lock user 'U' password" / "unlock user 'U' password".
bool parse_change_user(std::string_view text, LineFields& out) {
  if (consume(text, "name ")) {
    const std::string_view old_name = take_quoted(text);
    if (old_name.empty() || !consume(text, " to ")) return false;
    add_iam(out, "user_modified");
    out.add("user.target.name", old_name);
    add_nonempty(out, "user.changes.name", take_quoted(text));
    out.add("event.reason", "name");
    return true;
  }
  const std::string_view user = take_quoted(text);
  if (user.empty() || !consume(text, " ")) return false;
  add_iam(out, text == "password" ? "password_changed" : "user_modified");
  out.add("user.target.name", user);
  if (text != "password") add_nonempty(out, "event.reason", text);
  return true;
}

}  // namespace

bool parse_account_change(std::string_view program, std::string_view message, LineFields& out) {
  std::string_view text = message;
  if (consume(text, "new ")) return parse_new(text, out);
  if (consume(text, "add ")) return parse_membership(text, true, out);
  if (consume(text, "delete user ")) {
    const std::string_view user = take_quoted(text);
    if (user.empty()) return false;
    add_iam(out, "user_deleted");
    out.add("user.target.name", user);
    return true;
  }
  if (consume(text, "delete ")) return parse_membership(text, false, out);
  if (consume(text, "removed group ")) {
    const std::string_view group = take_quoted(text);
    if (group.empty()) return false;
    add_iam(out, "group_deleted");
    out.add("group.name", group);
    if (consume(text, " owned by ")) add_nonempty(out, "user.target.name", take_quoted(text));
    return true;
  }
  if (consume(text, "group '")) {
    const std::string_view group = scan::take_until(text, "'");
    if (text != " removed") return false;
    add_iam(out, "group_deleted");
    out.add("group.name", group);
    return true;
  }
  if (consume(text, "group changed in ")) {
    if (program != "groupmod" || !consume(text, "/etc/group (group ")) return false;
    const std::string_view group = scan::take_until(text, "/");
    add_iam(out, "group_modified");
    add_nonempty(out, "group.name", group);
    const std::string_view gid = scan::take_until(text, ", ");
    if (scan::parse_uint(gid)) out.add("group.id", gid);
    if (consume(text, "new name: "))
      add_nonempty(out, "group.changes.name", text.substr(0, text.find(')')));
    return true;
  }
  if (consume(text, "change user ")) return parse_change_user(text, out);
  const bool lock = consume(text, "lock user ");
  if (lock || consume(text, "unlock user ")) {
    const std::string_view user = take_quoted(text);
    if (user.empty()) return false;
    add_iam(out, lock ? "user_locked" : "user_unlocked");
    out.add("user.target.name", user);
    return true;
  }
  if (consume(text, "password for ")) {
    const std::string_view user = take_quoted(text);
    if (user.empty() || !consume(text, " changed by ")) return false;
    add_iam(out, "password_changed");
    add_nonempty(out, "user.name", take_quoted(text));
    out.add("user.target.name", user);
    return true;
  }
  if (consume(text, "changed password expiry for ")) {
    add_iam(out, "password_expiry_changed");
    add_nonempty(out, "user.target.name", text);
    return true;
  }
  if (consume(text, "user ")) {  // gpasswd
    const std::string_view user = scan::take_word(text);
    const bool added = consume(text, "added by ");
    if (!added && !consume(text, "removed by ")) return false;
    const std::string_view actor = scan::take_word(text);
    if (!consume(text, added ? "to group " : "from group ")) return false;
    add_iam(out, added ? "user_added_to_group" : "user_removed_from_group");
    add_nonempty(out, "user.name", actor);
    out.add("user.target.name", user);
    add_nonempty(out, "group.name", text);
    return true;
  }
  return false;
}

}  // namespace sentinel::agent::logs
