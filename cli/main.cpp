// sentinelctl: the command line of SentinelSecure, speaking the public REST API.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.h"
#include "credentials.h"

namespace {

constexpr const char* kFooter = R"(
Environment: SENTINEL_SERVER, SENTINEL_TOKEN, SENTINEL_CA_FILE stand in for the options;
SENTINEL_CONFIG_DIR holds credentials.json (default ~/.config/sentinel).
Exit status: 0 ok, 1 the server refused or failed, 2 usage error, 3 cannot connect or TLS
failure, 4 authentication needed, 5 permission denied.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace sentinel::ctl;
  try {
    Ctl ctl(default_credentials_path());
    CLI::App app("sentinelctl: manage a SentinelSecure server from the command line",
                 "sentinelctl");
    app.fallthrough();  // global options may also follow the command
    app.require_subcommand(1);
    app.footer(kFooter);
    GlobalOptions& options = ctl.options();
    app.add_option("--server", options.server,
                   "Server URL https://HOST:PORT (default: the one stored by login, else "
                   "https://127.0.0.1:8443)")
        ->envname("SENTINEL_SERVER");
    app.add_option("--token", options.token,
                   "API token (default: the one stored by login; prefer SENTINEL_TOKEN, which "
                   "other users cannot see in the process list)")
        ->envname("SENTINEL_TOKEN");
    app.add_option("--ca-file", options.ca_file,
                   "PEM file of the CA that signed the server's certificate")
        ->envname("SENTINEL_CA_FILE");
    app.add_flag("--insecure", options.insecure,
                 "Do not verify the server's certificate (tests and first contact only)");
    app.add_option("--output,-o", options.output, "Output format: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();

    add_auth_commands(app, ctl);
    add_user_commands(app, ctl);
    add_role_commands(app, ctl);
    add_settings_commands(app, ctl);
    add_credential_commands(app, ctl);
    add_audit_commands(app, ctl);
    add_agent_commands(app, ctl);
    add_alert_commands(app, ctl);
    add_scan_commands(app, ctl);
    add_scan_scope_commands(*app.get_subcommand("scan"), ctl);
    add_scan_schedule_commands(*app.get_subcommand("scan"), ctl);
    add_firewall_commands(app, ctl);
    add_rule_commands(app, ctl);
    add_system_commands(app, ctl);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return app.exit(error) == 0 ? kExitOk : kExitUsage;
    }
    return ctl.run();
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitFailed;
  }
}
