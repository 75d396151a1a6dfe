#pragma once
// What a UDP probe carries, per destination port: a datagram the service there answers (a DNS
// query for 53, an NTP client request for 123...). From nmap's `nmap-payloads` read at run time
// when nmap is installed (never copied into the repository), else our own small set in the same
// format. A port without a payload gets an empty datagram. See ADR 0005, "Engine".

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::scan {

/// Where nmap's payload file lives when the nmap package is installed.
inline constexpr std::string_view kNmapPayloadsPath = "/usr/share/nmap/nmap-payloads";

/// A problem found while reading a payload file. The entry it is in is dropped, except for an
/// unknown keyword, which the format says to ignore (it is listed all the same).
struct PayloadFileProblem {
  int line = 0;
  std::string reason;  // names the part: "port list: ...", "payload string: ..."
};

/// UDP payloads by port. A plain value; reads are thread-safe once no one calls set(), so hand it
/// to scanners as `shared_ptr<const UdpPayloads>`.
class UdpPayloads {
 public:
  /// Reads payload-file text (`udp PORTS "string" "string"... [source PORT]`, `#` comments).
  /// Never fails as a whole: bad entries are skipped and listed in problems(). Capped: lines of
  /// 1024 bytes (nmap's own limit), payloads of 2048 bytes, 4096 entries, 2^18 (port, payload)
  /// pairs. `origin` names the text in messages.
  static UdpPayloads parse(std::string_view text, std::string_view origin);
  /// Reads the file at `path` (1 MiB at most); an error when it cannot be read or holds no
  /// payload at all.
  static Result<UdpPayloads> load(const std::string& path);
  /// Our own small set: DNS, TFTP, ONC RPC, NTP, NetBIOS, SNMP, IKE, IPMI, SSDP, mDNS.
  static UdpPayloads builtin();
  /// nmap's file when it is installed and readable, otherwise builtin().
  static UdpPayloads system_or_builtin();

  /// The payloads for `port`, in file order; empty when it has none. The views point into this
  /// table and live as long as it does, unchanged by set() on other ports.
  std::vector<std::string_view> for_port(std::uint16_t port) const;
  /// Makes `port` use `payloads` instead of what the file gave it (none: an empty datagram).
  void set(std::uint16_t port, std::vector<std::string> payloads);

  /// Distinct payloads held.
  std::size_t payload_count() const { return payloads_.size(); }
  /// Ports that have at least one payload.
  std::size_t port_count() const;
  /// Runs of ports with the same payloads held: what the table costs, which does not grow with
  /// the width of the file's port ranges (a `udp 1-65535` entry is one run).
  std::size_t port_run_count() const { return runs_.size(); }
  const std::vector<PayloadFileProblem>& problems() const { return problems_; }
  std::string_view origin() const { return origin_; }

 private:
  /// Ports `first`..`last` have the payloads `run_payloads_[begin, end)`, in file order.
  struct PortRun {
    std::uint16_t first;
    std::uint16_t last;
    std::uint32_t begin;
    std::uint32_t end;
  };
  /// A port range of a kept file entry and its payload, an index into payloads_.
  struct EntryRange {
    std::uint16_t low;
    std::uint16_t high;
    std::uint32_t payload;
  };
  class Parser;

  /// Builds the runs from the kept entries' ranges, given in file order.
  void index_ranges(std::vector<EntryRange> ranges);
  /// Appends a run, or widens the last one when it ends just before `first` with the same
  /// payloads (file order: `payloads` ascending).
  void add_run(std::uint16_t first, std::uint16_t last, const std::vector<std::uint32_t>& payloads);

  std::string origin_;
  // A deque, so that views into payloads stay valid while set() adds more.
  std::deque<std::string> payloads_;
  // Ascending and disjoint; only ports with at least one payload.
  std::vector<PortRun> runs_;
  // The payloads of each run, indexes into payloads_; runs cut apart by set() share theirs.
  std::vector<std::uint32_t> run_payloads_;
  std::vector<PayloadFileProblem> problems_;
};

}  // namespace sentinel::scan
