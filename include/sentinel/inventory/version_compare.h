#pragma once
// Package version ordering of the two Linux package ecosystems the agent reports, exactly as the
// package managers order them (dpkg's verrevcmp, rpm's rpmvercmp). Pure functions, thread-safe.

#include <string_view>

namespace sentinel::inventory {

/// Debian version order (deb-version(7)): "[epoch:]upstream[-revision]"; epochs compare as
/// numbers, upstream and revision by dpkg's algorithm, where '~' sorts before everything, even
/// the end of the string. Negative, zero or positive as `a` is older, equal or newer than `b`.
int compare_debian_versions(std::string_view a, std::string_view b);

/// True when `version` is a syntactically valid Debian version (dpkg would accept it): optional
/// numeric epoch, an upstream part starting with a digit of [A-Za-z0-9.+~-:], an optional
/// revision of [A-Za-z0-9.+~].
bool is_valid_debian_version(std::string_view version);

/// RPM's segment comparison (rpmvercmp) of one version or release string, '~' (pre-release,
/// sorts before) and '^' (post-release snapshot, sorts after the base but before the next part)
/// included.
int rpmvercmp(std::string_view a, std::string_view b);

/// RPM "[epoch:]version[-release]" order: epoch (missing = 0), then version, then release with
/// rpmvercmp; the release only when both sides have one (as rpm matches dependencies).
int compare_rpm_versions(std::string_view a, std::string_view b);

/// The comparison of a package source: "dpkg" (Debian) or "rpm"; nullptr for another source.
using VersionComparator = int (*)(std::string_view, std::string_view);
VersionComparator comparator_for_source(std::string_view source);

}  // namespace sentinel::inventory
