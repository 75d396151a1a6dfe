#pragma once
// Which inventory changes people care about, as events: packages installed, removed, upgraded or
// downgraded; ports opened or closed; users created or deleted; groups changed.

#include <string_view>
#include <vector>

#include "sentinel/inventory/inventory_service.h"
#include "sentinel/inventory/sections.h"

namespace sentinel::inventory {

/// The events of the changes of one section, in the order of `changes`; none for sections whose
/// changes are only history (processes, sessions, disks, ...).
std::vector<DerivedEvent> derive_events(std::string_view section,
                                        const std::vector<ItemChange>& changes);

}  // namespace sentinel::inventory
