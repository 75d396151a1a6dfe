#include "sentinel/scan/target_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <utility>

#include "address_ranges.h"
#include "target_syntax.h"

namespace sentinel::scan {
namespace {

// A message listing hundreds of bad tokens helps nobody; the count says how many more there are.
constexpr std::size_t kMaxListedProblems = 20;

struct Problem {
  std::string field;
  std::string text;
};

Error combine(const std::vector<Problem>& problems) {
  if (problems.size() == 1) return invalid_argument(problems[0].text, problems[0].field);
  std::string message = fmt::format("{} invalid targets: ", problems.size());
  for (std::size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i) {
    if (i > 0) message += "; ";
    message += problems[i].text;
  }
  if (problems.size() > kMaxListedProblems) {
    message += fmt::format("; and {} more", problems.size() - kMaxListedProblems);
  }
  return invalid_argument(std::move(message), problems[0].field);
}

/// A host name token waiting for resolution.
struct PendingName {
  std::string token;
  std::string name;
  std::string field;
  bool exclude = false;
};

/// An IPv6 token and how many addresses it covers, to name the culprits of an oversized set.
struct Ipv6Token {
  std::string token;
  Uint128 size = 0;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// IPv4-mapped answers (::ffff:a.b.c.d) are IPv4 hosts; scanning them as IPv4 keeps the
/// scope check honest.
IpAddress unmap(IpAddress address) {
  const Uint128 mapped_prefix = Uint128{0xffff} << 32;
  if (!address.is_v4() && (address.value() >> 32) == 0xffff) {
    return IpAddress::v4(static_cast<std::uint32_t>(address.value() - mapped_prefix));
  }
  return address;
}

class ListParser {
 public:
  explicit ListParser(const TargetLimits& limits) : limits_(limits) {}

  void add_list(std::string_view text, bool exclude_list) {
    const std::string& field = exclude_list ? limits_.exclude_field : limits_.targets_field;
    for (const std::string_view raw : split_list(text)) {
      std::string_view token = raw;
      bool exclude = exclude_list;
      if (token.front() == '!') {
        if (exclude_list) {
          add_problem(field, raw, "the exclude list takes targets without '!'");
          continue;
        }
        token.remove_prefix(1);
        exclude = true;
        if (token.empty()) {
          add_problem(field, raw, "'!' must be followed by a target");
          continue;
        }
      }
      add_token(raw, token, field, exclude);
    }
  }

  void resolve(HostResolver& resolver, std::vector<ResolvedHost>& resolved_hosts) {
    std::map<std::string, std::size_t> by_name;
    for (const PendingName& pending : names_) by_name.emplace(lower(pending.name), 0);
    if (by_name.size() > limits_.max_host_names) {
      problems_.push_back({limits_.targets_field,
                           fmt::format("the lists name {} host names, more than the limit of {}",
                                       by_name.size(), limits_.max_host_names)});
      return;
    }
    std::map<std::string, Result<std::vector<IpAddress>>> answers;
    for (const PendingName& pending : names_) {
      const std::string key = lower(pending.name);
      auto found = answers.find(key);
      if (found == answers.end()) {
        auto answer = resolver.resolve(pending.name);
        if (answer) {
          for (IpAddress& address : *answer) address = unmap(address);
          resolved_hosts.push_back({pending.name, *answer});
        }
        found = answers.emplace(key, std::move(answer)).first;
      }
      const auto& answer = found->second;
      if (!answer) {
        add_problem(pending.field, pending.token, answer.error().message);
        continue;
      }
      auto& into = pending.exclude ? exclude_ : include_;
      for (const IpAddress address : *answer) {
        into.push_back(AddressRange::single(address));
        if (!address.is_v4() && !pending.exclude) ipv6_tokens_.push_back({pending.token, 1});
      }
    }
  }

  const std::vector<Problem>& problems() const { return problems_; }
  std::vector<AddressRange>& include() { return include_; }
  std::vector<AddressRange>& exclude() { return exclude_; }
  const std::vector<Ipv6Token>& ipv6_tokens() const { return ipv6_tokens_; }

 private:
  void add_problem(const std::string& field, std::string_view token, std::string_view why) {
    problems_.push_back({field, fmt::format("target {}: {}", quoted_piece(token), why)});
  }

  void add_token(std::string_view raw, std::string_view token, const std::string& field,
                 bool exclude) {
    // Past the limit the lists are refused whatever follows; reading on would still expand up
    // to max_ranges_per_token ranges a token.
    if (too_many_reported_) return;
    auto parsed = parse_target_token(token, limits_.max_ranges_per_token);
    if (!parsed) {
      add_problem(field, raw, parsed.error().message);
      return;
    }
    if (!parsed->host_name.empty()) {
      names_.push_back({std::string(raw), std::move(parsed->host_name), field, exclude});
      return;
    }
    range_count_ += parsed->ranges.size();
    if (range_count_ > limits_.max_ranges) {
      if (!too_many_reported_) {
        problems_.push_back({field, fmt::format("the lists expand to more than {} separate ranges",
                                                limits_.max_ranges)});
        too_many_reported_ = true;
      }
      return;
    }
    auto& into = exclude ? exclude_ : include_;
    for (const AddressRange& range : parsed->ranges) {
      into.push_back(range);
      if (!range.first.is_v4() && !exclude) {
        ipv6_tokens_.push_back({std::string(raw), range.size()});
      }
    }
  }

  const TargetLimits& limits_;
  std::vector<Problem> problems_;
  std::vector<AddressRange> include_;
  std::vector<AddressRange> exclude_;
  std::vector<PendingName> names_;
  std::vector<Ipv6Token> ipv6_tokens_;
  std::size_t range_count_ = 0;
  bool too_many_reported_ = false;
};

}  // namespace

TargetSet::TargetSet(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {
  const std::uint64_t max = ~std::uint64_t{0};
  offsets_.reserve(ranges_.size());
  for (const AddressRange& range : ranges_) {
    offsets_.push_back(size_);
    const Uint128 range_size = range.size();
    size_ = range_size > max - size_ ? max : size_ + static_cast<std::uint64_t>(range_size);
  }
}

TargetSet TargetSet::from_ranges(std::vector<AddressRange> ranges) {
  return TargetSet(normalize_ranges(std::move(ranges)));
}

Result<TargetSet> TargetSet::parse(std::string_view targets, std::string_view exclude,
                                   HostResolver& resolver, const TargetLimits& limits) {
  ListParser parser(limits);
  parser.add_list(targets, false);
  parser.add_list(exclude, true);
  if (!parser.problems().empty()) return combine(parser.problems());

  std::vector<ResolvedHost> resolved_hosts;
  parser.resolve(resolver, resolved_hosts);
  if (!parser.problems().empty()) return combine(parser.problems());

  if (parser.include().empty()) return invalid_argument("no targets given", limits.targets_field);
  auto ranges = subtract_ranges(normalize_ranges(std::move(parser.include())),
                                normalize_ranges(std::move(parser.exclude())));
  if (ranges.empty()) {
    return invalid_argument("the exclusions remove every target", limits.targets_field);
  }

  const Uint128 ipv6_count = count_addresses(ranges, AddressFamily::kIpv6);
  if (ipv6_count > limits.max_ipv6_addresses) {
    std::string culprits;
    for (const Ipv6Token& token : parser.ipv6_tokens()) {
      if (token.size <= limits.max_ipv6_addresses) continue;
      culprits += fmt::format("{}{} covers {}", culprits.empty() ? "; " : ", ",
                              quoted_piece(token.token), to_decimal(token.size));
    }
    return invalid_argument(
        fmt::format("the IPv6 targets cover {} addresses, more than the limit "
                    "of {}{}",
                    to_decimal(ipv6_count), limits.max_ipv6_addresses, culprits),
        limits.targets_field);
  }

  TargetSet set(std::move(ranges));
  set.resolved_hosts_ = std::move(resolved_hosts);
  return set;
}

IpAddress TargetSet::at(std::uint64_t index) const {
  const auto after = std::upper_bound(offsets_.begin(), offsets_.end(), index);
  const auto i = static_cast<std::size_t>(after - offsets_.begin()) - 1;
  return ranges_[i].first.plus(index - offsets_[i]);
}

std::optional<std::uint64_t> TargetSet::index_of(IpAddress address) const {
  const auto after =
      std::upper_bound(ranges_.begin(), ranges_.end(), address,
                       [](IpAddress a, const AddressRange& range) { return a < range.first; });
  if (after == ranges_.begin() || !std::prev(after)->contains(address)) return std::nullopt;
  const auto i = static_cast<std::size_t>(after - ranges_.begin()) - 1;
  const Uint128 offset = address.value() - ranges_[i].first.value();
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  // Only saturated sets (more than 2^64 addresses) have indices beyond what a uint64 holds.
  if (offset > max - offsets_[i]) return std::nullopt;
  return offsets_[i] + static_cast<std::uint64_t>(offset);
}

bool TargetSet::contains(IpAddress address) const {
  const auto after =
      std::upper_bound(ranges_.begin(), ranges_.end(), address,
                       [](IpAddress a, const AddressRange& range) { return a < range.first; });
  return after != ranges_.begin() && std::prev(after)->contains(address);
}

}  // namespace sentinel::scan
