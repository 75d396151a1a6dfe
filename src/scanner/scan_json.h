#pragma once
// The API's JSON forms of scan jobs, results and diffs, shared by the routes and the bus.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "sentinel/scan/port_names.h"
#include "sentinel/scanner/scan_diff.h"
#include "sentinel/scanner/scan_job.h"
#include "sentinel/scanner/scan_shard_protocol.h"

namespace sentinel::scanner {

/// {"percent","pairs_done","pairs_total","hosts_done","hosts_total","open_found","rate","phase"}.
boost::json::object progress_json(const JobCounters& counters);

/// {"group": NAME} or {"ids": [...]}; null for a job the server runs itself.
boost::json::value agents_json(const std::optional<AgentSelection>& agents);

/// {"scripts": [...], "os_detection": bool}; null for a job our engine runs.
boost::json::value nmap_json(const std::optional<NmapOptions>& nmap);
/// The inverse of nmap_json() for stored text; nullopt for anything else.
std::optional<NmapOptions> nmap_from_json(std::string_view text);

/// [{"id", "output"}, ...] and its inverse for stored text (an empty list for anything else).
boost::json::array scripts_json(const std::vector<scan::ScriptOutput>& scripts);
std::vector<scan::ScriptOutput> scripts_from_json(std::string_view text);

/// {"id","source","status","targets","exclude","ports","profile","method","requested_by",
/// "created_at","started_at","finished_at","error","agents","backend":"engine"|"nmap",
/// "nmap","progress":{...}}.
boost::json::object job_json(const ScanJob& job);

// service_json() and tls_json() are in scan_shard_protocol.h: the agents send the same forms.

/// The inverse of tls_json() for stored text; nullopt for anything else.
std::optional<scan::TlsFacts> tls_from_json(std::string_view text);

/// {"id","status","hosts_up","open_ports","total","hosts":[{"address",
/// "hostnames","os","os_accuracy","scripts","ports":[{"port","protocol","state","port_name",
/// "service",...,"scripts"}]}]}: one page of hosts; hosts_up (and total, its name in every list
/// of the API) counts every host of the job and open_ports every open port. state is "open" or
/// "open|filtered". port_name is what `names` calls the port (nmap-services), or null: a guess
/// for ports no service was named on.
boost::json::object results_json(const ScanJob& job, const FoundHostPage& hosts,
                                 const scan::PortNames& names);

/// {"id","previous_id","total","counts":{"host_new",...},"changes":[{"action",
/// "address","port","protocol","before","after"}]}: one page of changes; total and counts are
/// over every change.
boost::json::object diff_json(const ScanDiffPage& diff);

/// The bus message of the topic "scan": {"type":"scan","scan":{job_json}}.
std::string scan_message(const ScanJob& job);

}  // namespace sentinel::scanner
