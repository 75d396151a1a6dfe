#include "scanner_audit.h"

#include <boost/json/serialize.hpp>

#include "logger.h"

namespace sentinel::scanner {

void record_audit(auth::AuditLog& audit, std::string_view actor, const auth::ClientInfo& client,
                  std::string action, std::string target, const boost::json::object& details,
                  std::string outcome) {
  auth::AuditRecord record{.actor = std::string(actor),
                           .action = std::move(action),
                           .target = std::move(target),
                           .source_address = client.source_address,
                           .outcome = std::move(outcome),
                           .details_json = boost::json::serialize(details)};
  if (auto recorded = audit.record(record); !recorded) {
    scanner_log().error("audit of {} on {} failed: {}", record.action, record.target,
                        recorded.error().message);
  }
}

}  // namespace sentinel::scanner
