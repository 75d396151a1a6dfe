#pragma once
// Port specs of scan requests: "all" (TCP), or an nmap-style list of TCP and UDP ports
// ("22,80", "T:22,80,U:53,161") in which "topN" entries stand for the N commonest ports of their
// protocol ("top1000", "top1000,U:top20").

#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_list.h"

namespace sentinel::scanner {

/// Checks the syntax of a spec without reading any file: "all" (TCP ports), or a port list
/// (scan::PortList: ports before any prefix and after "T:" are TCP, after "U:" UDP) whose entries
/// may also be "top" and a count 1..65535. kInvalidArgument for field "ports". Pure.
Status check_port_spec(std::string_view spec);

/// The TCP and UDP ports a spec stands for, each ascending. "topN" ranks the ports of its
/// protocol by nmap's nmap-services when it is installed (scan::top_ports). kInvalidArgument for
/// field "ports". Thread-safe.
Result<scan::PortList> expand_port_spec(std::string_view spec);

}  // namespace sentinel::scanner
