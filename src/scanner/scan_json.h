#pragma once
// The API's JSON forms of scan jobs, results and diffs, shared by the routes and the bus.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "sentinel/scanner/scan_diff.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// {"percent","pairs_done","pairs_total","hosts_done","hosts_total","open_found","rate"}.
boost::json::object progress_json(const JobCounters& counters);

/// {"id","source","status","targets","exclude","ports","profile","method","requested_by",
/// "created_at","started_at","finished_at","error","progress":{...}}.
boost::json::object job_json(const ScanJob& job);

/// {"service","product","version","extra_info","cpe":[...]}; null without a service.
boost::json::value service_json(const std::optional<scan::ServiceInfo>& service);

/// {"subject","issuer","subject_alt_names","not_before","not_after","self_signed","key_type",
/// "key_bits","fingerprint_sha256","versions_tested","versions_accepted"}; null without facts.
boost::json::value tls_json(const std::optional<scan::TlsFacts>& tls);
/// The inverse of tls_json() for stored text; nullopt for anything else.
std::optional<scan::TlsFacts> tls_from_json(std::string_view text);

/// {"id","status","hosts":[{"address","hostnames","ports":[{"port","protocol","state",
/// "service",...}]}]}.
boost::json::object results_json(const ScanJob& job, const std::vector<FoundHost>& hosts);

/// {"id","previous_id","changes":[{"action","address","port","protocol","before","after"}]}.
boost::json::object diff_json(const ScanDiff& diff);

/// The bus message of the topic "scan": {"type":"scan","scan":{job_json}}.
std::string scan_message(const ScanJob& job);

}  // namespace sentinel::scanner
