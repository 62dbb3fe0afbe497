#include <optional>
#include <string>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

// Real config files are a few KiB; the cap is far above any of them.
constexpr std::size_t kMaxFileSize = 16 << 20;

// What set the path, for messages: the variable, or which default file it is.
std::string WhatSetIt(const Environment& env, const char* variable, const char* fallback) {
  auto v = env.Get(variable);
  return v && !v->empty() ? variable : fallback;
}

// A missing file (ENOENT, or ENOTDIR for a path through a regular file) is an empty one, as in
// the SDKs; /dev/null reads as empty. Any other failure (permissions, a directory, a FIFO, a
// device, too large) is an error naming the file, because silently ignoring a credentials file
// the user can see is worse than stopping.
Result<ProfileSet> LoadOne(const FileSystem& files, const std::string& path, ProfileFileKind kind,
                           const std::string& what) {
  auto file = files.Read(path, {.max_bytes = kMaxFileSize});
  if (file.status == ReadFileStatus::kNotFound) {
    ProfileSet empty;
    (kind == ProfileFileKind::kConfig ? empty.config_path : empty.credentials_path) = path;
    return empty;
  }
  if (!file.ok()) return Error(ErrorCode::kInvalidArgument, ReadFileError(what, path, file));
  return ParseProfileFile(file.bytes, kind, path);
}

}  // namespace

Result<ProfileSet> LoadProfiles(const Environment& env, const FileSystem& files) {
  auto locations = ResolveProfileFileLocations(env);
  if (!locations) return std::move(locations).error();
  auto config = LoadOne(files, locations->config, ProfileFileKind::kConfig,
                        WhatSetIt(env, "AWS_CONFIG_FILE", "config file"));
  if (!config) return std::move(config).error();
  auto credentials =
      LoadOne(files, locations->credentials, ProfileFileKind::kCredentials,
              WhatSetIt(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials file"));
  if (!credentials) return std::move(credentials).error();
  ProfileSet merged = MergeProfileSets(*config, *credentials);
  merged.config_path = locations->config;
  merged.credentials_path = locations->credentials;
  return merged;
}

}  // namespace hubspoke
