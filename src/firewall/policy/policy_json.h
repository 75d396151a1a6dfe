#pragma once
// Canonical JSON pieces of a policy document, shared by the serializer and the diff. Internal.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "sentinel/firewall/policy.h"

namespace sentinel::firewall::detail {

/// A rule as the parser reads it; optional keys at their defaults are left out.
boost::json::object rule_json(const Rule& rule);
/// "any" or the list of ports.
boost::json::value port_list_json(const PortList& list);
/// "any" or the list of ICMP types.
boost::json::value icmp_list_json(const IcmpTypeList& list);

}  // namespace sentinel::firewall::detail
