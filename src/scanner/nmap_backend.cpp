#include "nmap_backend.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace sentinel::scanner {
namespace {

// Script names as nmap's catalogue spells them; nothing else reaches its --script argument.
bool is_script_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool refused(std::string_view category) {
  return std::find(std::begin(kRefusedScriptCategories), std::end(kRefusedScriptCategories),
                   category) != std::end(kRefusedScriptCategories);
}

// The quoted strings of `text` in order: `"a", "b",` -> a, b.
std::vector<std::string> quoted(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = text.find('"', at)) != std::string_view::npos) {
    const std::size_t end = text.find('"', at + 1);
    if (end == std::string_view::npos) break;
    out.emplace_back(text.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return out;
}

}  // namespace

Result<NmapScriptCatalog> NmapScriptCatalog::parse(std::string_view text) {
  NmapScriptCatalog catalog;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    // Entry { filename = "ssl-cert.nse", categories = { "default", "safe", } }
    const std::size_t file_at = line.find("filename = \"");
    const std::size_t categories_at = line.find("categories = {");
    if (!line.starts_with("Entry {") || file_at == std::string_view::npos ||
        categories_at == std::string_view::npos) {
      continue;
    }
    const std::size_t name_begin = file_at + 12;
    const std::size_t name_end = line.find(".nse\"", name_begin);
    if (name_end == std::string_view::npos) continue;
    const std::string_view name = line.substr(name_begin, name_end - name_begin);
    if (!is_script_name(name)) continue;
    catalog.categories_[std::string(name)] = quoted(line.substr(categories_at));
  }
  if (catalog.categories_.empty()) {
    return invalid_argument("nmap's script catalogue lists no script", "scanner.nmap_script_db");
  }
  return catalog;
}

Result<NmapScriptCatalog> NmapScriptCatalog::load(const std::string& path) {
  std::ifstream file(path);
  if (!file) return unavailable(fmt::format("nmap's script catalogue {} cannot be read", path));
  std::ostringstream text;
  text << file.rdbuf();
  return parse(text.str());
}

Result<std::vector<std::string>> NmapScriptCatalog::expand(
    const std::vector<std::string>& entries) const {
  std::set<std::string> scripts;
  std::vector<std::string> problems;
  for (const std::string& entry : entries) {
    if (const auto script = categories_.find(entry); script != categories_.end()) {
      const auto bad = std::find_if(script->second.begin(), script->second.end(), refused);
      if (bad != script->second.end()) {
        problems.push_back(
            fmt::format("'{}' is in the {} category, which is never run", entry, *bad));
      } else {
        scripts.insert(entry);
      }
      continue;
    }
    bool category = false;
    for (const auto& [name, categories] : categories_) {
      if (std::find(categories.begin(), categories.end(), entry) == categories.end()) continue;
      category = true;
      if (std::none_of(categories.begin(), categories.end(), refused)) scripts.insert(name);
    }
    if (!category) {
      problems.push_back(fmt::format("'{}' is no script or category of nmap's", entry));
    } else if (refused(entry)) {
      problems.push_back(fmt::format("the {} category is never run", entry));
    }
  }
  if (!problems.empty()) {
    return invalid_argument(fmt::format("nmap scripts: {}", fmt::join(problems, "; ")),
                            "nmap.scripts");
  }
  return std::vector<std::string>(scripts.begin(), scripts.end());
}

// Whether this process may open a raw socket, which nmap's SYN scan, UDP scan and OS detection
// need (its child inherits the capability).
bool may_open_raw_socket() {
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

Result<NmapBackend> NmapBackend::open(NmapBackendOptions options, bool allow_raw) {
  if (::access(options.executable.c_str(), X_OK) != 0) {
    return unavailable(
        fmt::format("nmap is not installed ({} is not executable)", options.executable));
  }
  SENTINEL_ASSIGN(catalog, NmapScriptCatalog::load(options.script_db));
  return NmapBackend(std::move(options), std::move(catalog), allow_raw && may_open_raw_socket());
}

Status NmapBackend::check(const ScanRequest& request, const scan::PortList& ports) const {
  const bool raw = raw_;
  if (!request.nmap) return ok();
  if (request.nmap->os_detection && !raw) {
    return invalid_argument(
        "OS detection needs raw sockets, which this server may not use (CAP_NET_RAW, "
        "scanner.raw_sockets)",
        "nmap.os_detection");
  }
  if (!ports.udp.empty() && !raw) {
    return invalid_argument("nmap scans UDP ports only with raw sockets", "ports");
  }
  SENTINEL_TRY(catalog_.expand(request.nmap->scripts));
  return ok();
}

Result<std::vector<std::string>> NmapBackend::arguments(const NmapOptions& nmap,
                                                        const scan::PortList& ports,
                                                        const std::string& target_file,
                                                        bool discovery,
                                                        const ProbeLimits& limits) const {
  const bool raw = raw_;
  std::vector<std::string> args = {"-oX", "-", "--no-stylesheet", "--stats-every", "1s", "-n"};
  args.emplace_back(raw ? "--privileged" : "--unprivileged");
  if (!discovery) args.emplace_back("-Pn");
  if (limits.max_rate)
    args.insert(args.end(), {"--max-rate", fmt::format("{:.10g}", *limits.max_rate)});
  if (limits.max_concurrency) {
    args.insert(args.end(), {"--max-parallelism", std::to_string(*limits.max_concurrency)});
  }
  if (!ports.tcp.empty()) args.emplace_back(raw ? "-sS" : "-sT");
  if (!ports.udp.empty()) args.emplace_back("-sU");
  args.emplace_back("-sV");
  if (nmap.os_detection) args.emplace_back("-O");
  if (!nmap.scripts.empty()) {
    SENTINEL_ASSIGN(scripts, catalog_.expand(nmap.scripts));
    args.push_back("--script=" + fmt::format("{}", fmt::join(scripts, ",")));
  }
  args.insert(args.end(), {"-p", ports.format(), "-iL", target_file});
  return args;
}

std::string NmapBackend::method(const NmapOptions& nmap, const scan::PortList& ports,
                                bool discovery) const {
  const bool raw = raw_;
  std::string method = "nmap";
  if (!discovery) method += " -Pn";
  if (!ports.tcp.empty()) method += raw ? " -sS" : " -sT";
  if (!ports.udp.empty()) method += " -sU";
  method += " -sV";
  if (nmap.os_detection) method += " -O";
  if (!nmap.scripts.empty()) method += " --script";
  return method;
}

std::string nmap_target_list(const scan::TargetSet& targets) {
  std::string out;
  for (const scan::AddressRange& range : targets.ranges()) {
    for (const std::string& block : range.cidrs()) out += block + "\n";
  }
  return out;
}

}  // namespace sentinel::scanner
