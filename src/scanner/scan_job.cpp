#include "sentinel/scanner/scan_job.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace sentinel::scanner {
namespace {

constexpr std::array<std::pair<JobStatus, std::string_view>, 5> kStatuses = {{
    {JobStatus::kQueued, "queued"},
    {JobStatus::kRunning, "running"},
    {JobStatus::kCompleted, "completed"},
    {JobStatus::kCancelled, "cancelled"},
    {JobStatus::kFailed, "failed"},
}};

constexpr std::array<std::pair<ScanProfile, std::string_view>, 3> kProfiles = {{
    {ScanProfile::kQuick, "quick"},
    {ScanProfile::kStandard, "standard"},
    {ScanProfile::kFull, "full"},
}};

}  // namespace

std::string_view to_string(JobStatus status) {
  for (const auto& [value, name] : kStatuses) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<JobStatus> parse_job_status(std::string_view text) {
  for (const auto& [value, name] : kStatuses) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_final(JobStatus status) {
  return status == JobStatus::kCompleted || status == JobStatus::kCancelled ||
         status == JobStatus::kFailed;
}

std::string_view to_string(ScanProfile profile) {
  for (const auto& [value, name] : kProfiles) {
    if (value == profile) return name;
  }
  return "standard";
}

std::optional<ScanProfile> parse_scan_profile(std::string_view text) {
  for (const auto& [value, name] : kProfiles) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view port_spec_of(ScanProfile profile) {
  switch (profile) {
    case ScanProfile::kQuick:
      return "top100";
    case ScanProfile::kStandard:
      return "top1000";
    case ScanProfile::kFull:
      return "all";
  }
  return "top1000";
}

double JobCounters::percent() const {
  if (pairs_total <= 0) return 100.0;
  return 100.0 * static_cast<double>(pairs_done) / static_cast<double>(pairs_total);
}

std::string_view to_string(scan::Protocol protocol) {
  return protocol == scan::Protocol::kUdp ? "udp" : "tcp";
}

Status check_page(const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return invalid_argument(fmt::format("limit must be between 1 and {}", kMaxPageLimit), "limit");
  }
  if (page.offset < 0) return invalid_argument("offset must not be negative", "offset");
  return ok();
}

}  // namespace sentinel::scanner
