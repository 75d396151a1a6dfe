#include "block_json.h"

#include "sentinel/common/time_format.h"

namespace sentinel::firewall {
namespace {

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::value scope_value(const BlockScope& scope, BlockScopeKind kind) {
  return scope.kind == kind ? boost::json::value(scope.value) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object block_json(const Block& block, std::int64_t now_ms) {
  return {{"id", block.id},
          {"address", block.address},
          {"scope", to_string(block.scope.kind)},
          {"agent_id", scope_value(block.scope, BlockScopeKind::kAgent)},
          {"group", scope_value(block.scope, BlockScopeKind::kGroup)},
          {"reason", block.reason},
          {"requested_by", block.requested_by},
          {"rule_id", text_or_null(block.rule_id)},
          {"alert_id",
           block.alert_id ? boost::json::value(*block.alert_id) : boost::json::value(nullptr)},
          {"offence", block.offence},
          {"requested_duration_s", block.requested_duration_s},
          {"duration_s", block.duration_s},
          {"started_at", iso8601_utc(block.started_ms)},
          {"expires_at", iso8601_utc(block.expires_ms)},
          {"active", block.active_at(now_ms)},
          {"remaining_s", block.remaining_s(now_ms)},
          {"removed_at", block.removed_ms ? boost::json::value(iso8601_utc(*block.removed_ms))
                                          : boost::json::value(nullptr)},
          {"removed_by", text_or_null(block.removed_by)}};
}

}  // namespace sentinel::firewall
