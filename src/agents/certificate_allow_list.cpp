#include "certificate_allow_list.h"

#include <cctype>
#include <mutex>

namespace sentinel::agents {

std::string CertificateAllowList::normalize_serial(std::string_view serial_hex) {
  std::string out;
  out.reserve(serial_hex.size());
  for (const char c : serial_hex) {
    if (out.empty() && c == '0') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.empty() ? "0" : out;
}

void CertificateAllowList::replace(const std::vector<LiveCertificate>& certificates) {
  std::map<std::string, Serials, std::less<>> agents;
  for (const LiveCertificate& certificate : certificates) {
    agents[certificate.agent_id][normalize_serial(certificate.serial_hex)] =
        certificate.not_after_ms;
  }
  std::unique_lock lock(mutex_);
  agents_ = std::move(agents);
}

void CertificateAllowList::add(std::string_view agent_id, std::string_view serial_hex,
                               std::int64_t not_after_ms) {
  std::unique_lock lock(mutex_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end()) it = agents_.emplace(std::string(agent_id), Serials{}).first;
  it->second[normalize_serial(serial_hex)] = not_after_ms;
}

void CertificateAllowList::remove_agent(std::string_view agent_id) {
  std::unique_lock lock(mutex_);
  if (const auto it = agents_.find(agent_id); it != agents_.end()) agents_.erase(it);
}

void CertificateAllowList::prune(std::int64_t now_ms) {
  std::unique_lock lock(mutex_);
  for (auto& [agent, serials] : agents_) {
    std::erase_if(serials, [now_ms](const auto& entry) { return entry.second <= now_ms; });
  }
}

bool CertificateAllowList::allowed(std::string_view agent_id, std::string_view serial_hex,
                                   std::int64_t now_ms) const {
  const std::string serial = normalize_serial(serial_hex);
  std::shared_lock lock(mutex_);
  const auto agent = agents_.find(agent_id);
  if (agent == agents_.end()) return false;
  const auto found = agent->second.find(serial);
  return found != agent->second.end() && found->second > now_ms;
}

}  // namespace sentinel::agents
