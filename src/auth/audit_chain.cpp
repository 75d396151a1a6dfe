#include "audit_chain.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <ctime>

#include "sentinel/common/crypto.h"
#include "sentinel/common/time_format.h"

namespace sentinel::auth::audit {
namespace {

// Bump when the serialisation changes; old entries keep verifying only under their version.
constexpr std::string_view kFormatTag = "sentinel-audit-v1\n";

void append_field(std::string& out, std::string_view field) {
  out += fmt::format("{}:", field.size());
  out += field;
  out += ',';
}

}  // namespace

std::string canonical_form(const AuditEntry& entry) {
  std::string out(kFormatTag);
  append_field(out, std::to_string(entry.seq));
  append_field(out, std::to_string(entry.time_ms));
  append_field(out, entry.record.actor);
  append_field(out, entry.record.action);
  append_field(out, entry.record.target);
  append_field(out, entry.record.source_address);
  append_field(out, entry.record.outcome);
  append_field(out, entry.record.details_json);
  append_field(out, entry.prev_hash);
  return out;
}

std::string entry_hash(const AuditEntry& entry) {
  return crypto::sha256_hex(canonical_form(entry));
}

bool ChainVerifier::add(const AuditEntry& entry) {
  if (!result_.intact) return false;
  if (entry.seq != last_seq_ + 1) {
    return fail(last_seq_ + 1,
                fmt::format("entry missing: gap between {} and {}", last_seq_, entry.seq));
  }
  if (entry_hash(entry) != entry.hash) return fail(entry.seq, "hash mismatch: entry edited");
  if (entry.prev_hash != last_hash_) {
    return fail(entry.seq, fmt::format("broken link: prev_hash does not match the hash of entry {}",
                                       last_seq_));
  }
  last_seq_ = entry.seq;
  last_hash_ = entry.hash;
  ++result_.checked;
  return true;
}

AuditVerification ChainVerifier::finish() {
  if (!result_.intact) return result_;
  if (last_seq_ < head_.seq) {
    fail(last_seq_ + 1, fmt::format("entries after {} deleted", last_seq_));
  } else if (last_hash_ != head_.hash) {
    fail(last_seq_,
         fmt::format("broken link: entry {} does not match the recorded head", last_seq_));
  }
  return result_;
}

bool ChainVerifier::fail(std::int64_t seq, std::string problem) {
  result_.intact = false;
  result_.first_broken_seq = seq;
  result_.problem = std::move(problem);
  return false;
}

boost::json::object to_json(const AuditEntry& entry) {
  boost::json::error_code error;
  boost::json::value details = boost::json::parse(entry.record.details_json, error);
  if (error || !details.is_object()) details = entry.record.details_json;
  return {
      {"seq", entry.seq},
      {"time", iso8601_utc(entry.time_ms)},
      {"time_ms", entry.time_ms},
      {"actor", entry.record.actor},
      {"action", entry.record.action},
      {"target", entry.record.target},
      {"source_address", entry.record.source_address},
      {"outcome", entry.record.outcome},
      {"details", std::move(details)},
  };
}

}  // namespace sentinel::auth::audit
