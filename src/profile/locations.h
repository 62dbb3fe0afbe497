// Where the shared config and credentials files are, as a pure function of the environment, the
// platform and the home directory the OS reports, so that every case of the cross-SDK location
// suite (Linux and Windows) runs in a test on any machine.
#pragma once

#include <optional>
#include <string>

#include "hubspoke/profile.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

enum class PathPlatform { kPosix, kWindows };

// The home directory: on POSIX, HOME, else `language_home` (the passwd entry's). On Windows,
// HOME, else USERPROFILE, else HOMEDRIVE + HOMEPATH, else `language_home`. Empty values count as
// unset. nullopt when none is known.
std::optional<std::string> ResolveHomeDirectory(const Environment& env, PathPlatform platform,
                                                const std::optional<std::string>& language_home);

// AWS_CONFIG_FILE, else <home>/.aws/config; AWS_SHARED_CREDENTIALS_FILE, else
// <home>/.aws/credentials, with the platform's separator. A leading "~" in an override expands
// to the home too ("~/cfg", and "~\cfg" on Windows). kNotConfigured when a path needs the home
// and there is none.
Result<ProfileFileLocations> ResolveProfileFileLocationsFor(
    const Environment& env, PathPlatform platform, const std::optional<std::string>& language_home);

}  // namespace hubspoke
