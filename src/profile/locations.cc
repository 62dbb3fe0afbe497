#include "profile/locations.h"

#include <pwd.h>
#include <unistd.h>

#include <string_view>
#include <vector>

namespace hubspoke {
namespace {

std::optional<std::string> NonEmpty(const Environment& env, std::string_view name) {
  auto value = env.Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

bool IsSeparator(char c, PathPlatform platform) {
  return c == '/' || (platform == PathPlatform::kWindows && c == '\\');
}

// <home>/.aws/<file> with the platform's separator, without doubling a trailing one.
std::string DefaultPath(const std::string& home, PathPlatform platform, std::string_view file) {
  std::string_view sep = platform == PathPlatform::kWindows ? "\\" : "/";
  std::string path = home;
  if (path.empty() || !IsSeparator(path.back(), platform)) path += sep;
  path += ".aws";
  path += sep;
  path += file;
  return path;
}

// The user's home from the passwd database, as Python's expanduser and the JVM's user.home do
// when HOME is unset (cron jobs, some containers).
std::optional<std::string> PasswdHome() {
  long size_hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size_hint > 0 ? static_cast<std::size_t>(size_hint) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found ||
      !found->pw_dir || !*found->pw_dir) {
    return std::nullopt;
  }
  return std::string(found->pw_dir);
}

Result<std::string> Locate(const Environment& env, PathPlatform platform,
                           const std::optional<std::string>& home, std::string_view variable,
                           std::string_view file) {
  std::optional<std::string> path = NonEmpty(env, variable);
  bool needs_home = !path || *path == "~" ||
                    (path->size() >= 2 && (*path)[0] == '~' && IsSeparator((*path)[1], platform));
  if (!needs_home) return *path;
  if (!home) {
    std::string where = platform == PathPlatform::kWindows
                            ? "HOME, USERPROFILE and HOMEDRIVE/HOMEPATH are not set"
                            : "HOME is not set and the user has no home directory in the passwd "
                              "database";
    return Error(ErrorCode::kNotConfigured, "cannot locate the AWS " + std::string(file) +
                                                " file: " + where + "; set HOME or " +
                                                std::string(variable));
  }
  if (!path) return DefaultPath(*home, platform, file);
  return *home + path->substr(1);
}

}  // namespace

std::optional<std::string> ResolveHomeDirectory(const Environment& env, PathPlatform platform,
                                                const std::optional<std::string>& language_home) {
  if (auto home = NonEmpty(env, "HOME")) return home;
  if (platform == PathPlatform::kWindows) {
    if (auto profile = NonEmpty(env, "USERPROFILE")) return profile;
    auto drive = NonEmpty(env, "HOMEDRIVE");
    auto path = NonEmpty(env, "HOMEPATH");
    if (drive && path) return *drive + *path;
  }
  if (language_home && !language_home->empty()) return language_home;
  return std::nullopt;
}

Result<ProfileFileLocations> ResolveProfileFileLocationsFor(
    const Environment& env, PathPlatform platform,
    const std::optional<std::string>& language_home) {
  std::optional<std::string> home = ResolveHomeDirectory(env, platform, language_home);
  auto config = Locate(env, platform, home, "AWS_CONFIG_FILE", "config");
  if (!config) return std::move(config).error();
  auto credentials = Locate(env, platform, home, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (!credentials) return std::move(credentials).error();
  return ProfileFileLocations{.config = std::move(*config), .credentials = std::move(*credentials)};
}

Result<ProfileFileLocations> ResolveProfileFileLocations(const Environment& env) {
  // The passwd lookup only happens when HOME is unset.
  std::optional<std::string> passwd_home;
  if (!NonEmpty(env, "HOME")) passwd_home = PasswdHome();
  return ResolveProfileFileLocationsFor(env, PathPlatform::kPosix, passwd_home);
}

}  // namespace hubspoke
