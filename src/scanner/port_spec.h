#pragma once
// Port specs of scan requests: "topN", "all" (TCP), or an nmap-style list of TCP and UDP ports
// ("22,80", "T:22,80,U:53,161").

#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_list.h"

namespace sentinel::scanner {

/// Checks the syntax of a spec without reading any file: "top" and a count 1..65535 or "all"
/// (TCP ports), or a port list (scan::PortList: ports before any prefix and after "T:" are TCP,
/// after "U:" UDP). kInvalidArgument for field "ports". Pure.
Status check_port_spec(std::string_view spec);

/// The TCP and UDP ports a spec stands for, each ascending. "topN" ranks TCP ports by nmap's
/// nmap-services when it is installed (scan::top_ports). kInvalidArgument for field "ports".
/// Thread-safe.
Result<scan::PortList> expand_port_spec(std::string_view spec);

}  // namespace sentinel::scanner
