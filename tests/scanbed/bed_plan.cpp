// Hosts get a role (web server, mail server, database, ...) that decides their ports, the way
// real fleets look, rather than independent random ports. Every draw comes from a generator
// seeded by (seed, host index), so that one host's plan does not depend on the others.

#include "tests/scanbed/bed_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace sentinel::scanbed {
namespace {

constexpr int kMaxHosts = 65000;
constexpr std::size_t kMaxPortsPerHost = 8;
constexpr std::uint16_t kHostilePorts[] = {21, 22, 25, 80, 443};
constexpr Hostility kHostilities[] = {Hostility::kEndlessBanner, Hostility::kSlowBanner,
                                      Hostility::kTlsGarbage, Hostility::kSilent};

// SplitMix64: tiny, fully specified, and identical on every platform and library (unlike the
// distributions of <random>), which the truth file's reproducibility relies on.
class PlanRandom {
 public:
  explicit PlanRandom(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, bound); the modulo bias is irrelevant for bounds this small.
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }
  bool percent(std::uint32_t chance) { return below(100) < chance; }

 private:
  std::uint64_t state_;
};

// Collects one host's ports; a port added twice keeps its first service.
class HostBuilder {
 public:
  HostBuilder(PlanRandom& random, Release release) : random_(random), release_(release) {
    web_ = random_.percent(60) ? Software::kNginx : Software::kApache;
    sql_ = random_.percent(55) ? Software::kMariaDb : Software::kMysql;
  }

  void add(std::uint16_t port, Protocol protocol, Software software, bool tls = false) {
    const auto same = [port](const PortPlan& plan) { return plan.port == port; };
    if (std::any_of(ports_.begin(), ports_.end(), same)) return;
    ports_.push_back({port, make_service(protocol, software, release_, tls)});
  }
  void maybe(std::uint32_t chance, std::uint16_t port, Protocol protocol, Software software,
             bool tls = false) {
    if (random_.percent(chance)) add(port, protocol, software, tls);
  }
  void ssh(std::uint16_t port = 22) { add(port, Protocol::kSsh, Software::kOpenSsh); }
  void http(std::uint16_t port) { add(port, Protocol::kHttp, web_); }
  void https(std::uint16_t port) { add(port, Protocol::kHttp, web_, true); }
  void maybe_http(std::uint32_t chance, std::uint16_t port) {
    maybe(chance, port, Protocol::kHttp, web_);
  }
  void maybe_https(std::uint32_t chance, std::uint16_t port) {
    maybe(chance, port, Protocol::kHttp, web_, true);
  }
  void mysql() { add(3306, Protocol::kMysql, sql_); }
  void postgresql() { add(5432, Protocol::kPostgresql, Software::kPostgresql); }
  void redis() { add(6379, Protocol::kRedis, Software::kRedis); }
  void smtp(std::uint16_t port) { add(port, Protocol::kSmtp, Software::kPostfix); }

  std::vector<PortPlan> take() {
    std::sort(ports_.begin(), ports_.end(),
              [](const PortPlan& a, const PortPlan& b) { return a.port < b.port; });
    if (ports_.size() > kMaxPortsPerHost) ports_.resize(kMaxPortsPerHost);
    return std::move(ports_);
  }

  PlanRandom& random() { return random_; }

 private:
  PlanRandom& random_;
  Release release_;
  Software web_;
  Software sql_;
  std::vector<PortPlan> ports_;
};

// Role shares (percent): none 12, ssh 10, web 24, mail 9, database 14, ftp 6, dev 12, full 13.
std::string build_role(HostBuilder& host) {
  PlanRandom& random = host.random();
  const std::uint32_t roll = random.below(100);
  if (roll < 12) return "none";
  if (roll < 22) {
    host.ssh();
    return "ssh";
  }
  if (roll < 46) {
    if (random.percent(90)) host.ssh();
    host.http(80);
    host.maybe_https(70, 443);
    host.maybe_http(15, 8080);
    host.maybe_https(15, 8443);
    return "web";
  }
  if (roll < 55) {
    host.ssh();
    host.smtp(25);
    host.maybe(60, 110, Protocol::kPop3, Software::kDovecot);
    host.add(143, Protocol::kImap, Software::kDovecot);
    if (random.percent(50)) host.smtp(587);
    host.maybe(60, 993, Protocol::kImap, Software::kDovecot, true);
    host.maybe(40, 995, Protocol::kPop3, Software::kDovecot, true);
    return "mail";
  }
  if (roll < 69) {
    host.ssh();
    const std::uint32_t engines = random.below(100);
    if (engines < 50 || engines >= 90) host.mysql();
    if (engines >= 50) host.postgresql();
    if (random.percent(40)) host.redis();
    return "db";
  }
  if (roll < 75) {
    host.add(21, Protocol::kFtp, Software::kVsftpd);
    if (random.percent(80)) host.ssh();
    host.maybe_http(30, 80);
    return "ftp";
  }
  if (roll < 87) {
    host.ssh(random.percent(50) ? 2222 : 22);
    host.maybe_http(50, 8080);
    host.maybe_http(50, 8081);
    host.maybe_https(40, 10443);
    if (random.percent(30)) host.redis();
    if (random.percent(30)) host.postgresql();
    return "dev";
  }
  host.ssh();
  host.http(80);
  host.https(443);
  if (random.percent(50)) {
    host.mysql();
  } else {
    host.postgresql();
  }
  if (random.percent(50)) host.redis();
  if (random.percent(30)) host.smtp(25);
  host.maybe_http(30, 8080);
  host.maybe_https(20, 8443);
  return "app";
}

HostPlan plan_host(const BedOptions& options, int index) {
  PlanRandom random(options.seed ^ (0xD1B54A32D192ED03ULL * static_cast<std::uint64_t>(index)));
  random.next();
  const Release release = random.percent(70) ? Release::kBookworm : Release::kBullseye;
  HostBuilder builder(random, release);
  HostPlan host;
  host.address = options.base + static_cast<std::uint32_t>(index);
  host.role = build_role(builder);
  host.hostname = fmt::format("{}{:03}.scanbed.test", host.role, index);
  host.ports = builder.take();
  return host;
}

}  // namespace

const char* hostility_name(Hostility hostility) {
  switch (hostility) {
    case Hostility::kEndlessBanner:
      return "endless_banner";
    case Hostility::kSlowBanner:
      return "slow_banner";
    case Hostility::kTlsGarbage:
      return "tls_garbage";
    case Hostility::kSilent:
      return "silent";
  }
  return "unknown";
}

std::string format_ipv4(std::uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                     address & 0xff);
}

Result<std::uint32_t> parse_ipv4(std::string_view text, std::string_view field) {
  std::uint32_t address = 0;
  std::string_view rest = text;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (rest.empty() || rest.front() != '.') break;
      rest.remove_prefix(1);
    }
    unsigned value = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    const auto digits = static_cast<std::size_t>(end - rest.data());
    if (error != std::errc() || digits == 0 || digits > 3 || value > 255) break;
    address = (address << 8) | value;
    rest.remove_prefix(digits);
    if (octet == 3 && rest.empty()) return address;
  }
  return invalid_argument(fmt::format("{}: '{}' is not a dotted-quad IPv4 address", field, text),
                          std::string(field));
}

Result<BedPlan> plan_bed(const BedOptions& options) {
  if (options.host_count < 1 || options.host_count > kMaxHosts) {
    return invalid_argument(
        fmt::format("hosts: {} is out of range 1..{}", options.host_count, kMaxHosts), "hosts");
  }
  const std::uint64_t extra = options.hostile ? std::size(kHostilities) : 0;
  const std::uint64_t last = std::uint64_t{options.base} + options.host_count + extra;
  if (last > 0xffffffffULL || (last >> 24) != (options.base >> 24)) {
    return invalid_argument(
        fmt::format("base: {} + {} addresses leaves {}.0.0.0/8", format_ipv4(options.base),
                    options.host_count + extra, options.base >> 24),
        "base");
  }
  BedPlan plan;
  plan.options = options;
  plan.hosts.reserve(static_cast<std::size_t>(options.host_count));
  for (int index = 1; index <= options.host_count; ++index) {
    plan.hosts.push_back(plan_host(options, index));
  }
  if (options.hostile) {
    std::uint32_t address = options.base + static_cast<std::uint32_t>(options.host_count);
    for (Hostility hostility : kHostilities) {
      plan.hostile.push_back(
          {++address, hostility, {std::begin(kHostilePorts), std::end(kHostilePorts)}});
    }
  }
  return plan;
}

}  // namespace sentinel::scanbed
