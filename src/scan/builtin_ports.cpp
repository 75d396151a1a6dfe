// Our own list of common service ports (IANA assignments and widespread de-facto ports), used
// when nmap's frequency table is not installed. Ordered by how likely a port is to matter on a
// typical company network: web, remote access, mail, file sharing, databases, infrastructure.

#include <algorithm>

#include "sentinel/scan/port_list.h"

namespace sentinel::scan {
namespace {

std::vector<std::uint16_t> unique_in_order(std::initializer_list<std::uint16_t> ports) {
  std::vector<std::uint16_t> out;
  for (const std::uint16_t port : ports) {
    if (std::find(out.begin(), out.end(), port) == out.end()) out.push_back(port);
  }
  return out;
}

}  // namespace

const std::vector<std::uint16_t>& builtin_common_ports(Protocol protocol) {
  static const std::vector<std::uint16_t> tcp = unique_in_order({
      // Web and remote access.
      80,
      443,
      22,
      8080,
      8443,
      3389,
      23,
      21,
      5900,
      8000,
      8008,
      8888,
      8081,
      3000,
      5000,
      9000,
      9090,
      9443,
      10000,
      4443,
      7443,
      2222,
      // Mail.
      25,
      587,
      465,
      110,
      995,
      143,
      993,
      // Windows, directory and file sharing.
      445,
      139,
      135,
      389,
      636,
      3268,
      3269,
      88,
      464,
      5985,
      5986,
      2049,
      111,
      548,
      873,
      // Databases and caches.
      3306,
      5432,
      1433,
      1521,
      6379,
      27017,
      9200,
      9300,
      11211,
      5984,
      7474,
      9042,
      8086,
      // Infrastructure: DNS, printing, VPN, proxies, messaging, containers, monitoring.
      53,
      631,
      9100,
      515,
      1723,
      1194,
      1080,
      3128,
      8118,
      5672,
      15672,
      1883,
      8883,
      9092,
      2181,
      2375,
      2376,
      2379,
      2380,
      6443,
      10250,
      9418,
      3690,
      5060,
      5061,
      179,
      113,
      119,
      554,
      6667,
      5222,
      5269,
      4369,
      1099,
      4848,
      7001,
      8009,
      8089,
      8180,
      8834,
      9001,
      9999,
      902,
      50000,
      25565,
      161,
  });
  static const std::vector<std::uint16_t> udp = unique_in_order({
      53,   123,   161,  137,  138,  67,   68,    69,    500, 4500, 514,
      1900, 5353,  5060, 1194, 1812, 1813, 162,   520,   111, 2049, 3478,
      443,  11211, 1434, 427,  623,  5683, 47808, 10001, 88,  389,  177,
  });
  return protocol == Protocol::kTcp ? tcp : udp;
}

}  // namespace sentinel::scan
