#pragma once
// InventoryService over the SQL tables of migration 0004 (see inventory_tables.h).

#include "sentinel/inventory/inventory_service.h"

namespace sentinel::inventory {

class InventoryServiceImpl final : public InventoryService {
 public:
  InventoryServiceImpl(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Status apply(store::Connection& tx, const std::string& agent_id, const protocol::Event& event,
               std::vector<DerivedEvent>& derived) override;
  Status forget_agent(store::Connection& tx, const std::string& agent_id) override;
  Result<std::vector<PackageRecord>> packages(const std::string& agent_id) override;
  Result<boost::json::array> section_items(const std::string& agent_id,
                                           std::string_view section) override;
  Result<std::map<std::string, boost::json::array>> section_items_of(
      const std::vector<std::string>& agent_ids, std::string_view section) override;
  Result<std::vector<InventoryChangeRecord>> changes(const ChangeQuery& query) override;
  Result<std::vector<PackageRecord>> find_packages(
      const std::string& name, const std::optional<std::string>& below) override;
  Result<std::vector<PortRecord>> find_ports(std::int64_t port,
                                             const std::optional<std::string>& protocol) override;

 private:
  Status apply_snapshot(store::Connection& tx, const std::string& agent_id,
                        const protocol::Event& event, std::vector<DerivedEvent>& derived);
  Status apply_delta(store::Connection& tx, const std::string& agent_id,
                     const protocol::Event& event, std::vector<DerivedEvent>& derived);
  /// When a change happened: the agent's time of the event, the server's if it has none.
  std::int64_t change_time(const protocol::Event& event) const;

  store::Database& db_;
  const Clock& clock_;
};

}  // namespace sentinel::inventory
