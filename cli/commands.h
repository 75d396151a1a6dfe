#pragma once
// The sentinelctl command groups; each adds its subcommands to the application.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "context.h"

namespace sentinel::ctl {

/// Makes `command` the one to run, calling `action` once parsing has finished.
inline void on_run(CLI::App* command, Ctl& ctl, std::function<int()> action) {
  command->callback([&ctl, action = std::move(action)] { ctl.set_action(action); });
}

/// A repeatable option with one value per occurrence, or a comma-separated list.
inline CLI::Option* add_repeatable(CLI::App* command, const std::string& name,
                                   std::vector<std::string>& values,
                                   const std::string& description) {
  return command->add_option(name, values, description)->allow_extra_args(false)->delimiter(',');
}

/// login, logout, whoami, totp setup|confirm.
void add_auth_commands(CLI::App& app, Ctl& ctl);
/// users list|show|create|update|delete|unlock|reset-2fa.
void add_user_commands(CLI::App& app, Ctl& ctl);
/// roles list|create|update|delete.
void add_role_commands(CLI::App& app, Ctl& ctl);
/// tokens list|create|revoke and sessions list|revoke.
void add_credential_commands(CLI::App& app, Ctl& ctl);
/// audit list|verify.
void add_audit_commands(CLI::App& app, Ctl& ctl);
/// settings show|update (auth settings: roles that require 2FA).
void add_settings_commands(CLI::App& app, Ctl& ctl);
/// agents enroll-token|tokens|list|show|label|revoke|delete.
void add_agent_commands(CLI::App& app, Ctl& ctl);
/// alerts list|show|ack|resolve.
void add_alert_commands(CLI::App& app, Ctl& ctl);
/// scan run|list|show|diff|cancel|import.
void add_scan_commands(CLI::App& app, Ctl& ctl);
/// scan scope list|add|remove|check, under the `scan` command.
void add_scan_scope_commands(CLI::App& scan, Ctl& ctl);
/// scan schedule list|add|remove|run, under the `scan` command.
void add_scan_schedule_commands(CLI::App& scan, Ctl& ctl);
/// firewall policy ...|validate|apply|status|block|unblock|blocks|allow-list (validate works
/// offline).
void add_firewall_commands(CLI::App& app, Ctl& ctl);
/// firewall feeds list|add|show|remove|refresh, under the `firewall` command.
void add_firewall_feed_commands(CLI::App& firewall, Ctl& ctl);
/// rules list|check|reload (check works offline).
void add_rule_commands(CLI::App& app, Ctl& ctl);
/// health.
void add_system_commands(CLI::App& app, Ctl& ctl);

}  // namespace sentinel::ctl
