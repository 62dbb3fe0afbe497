#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <system_error>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

// Real config files are a few KiB; the cap keeps AWS_CONFIG_FILE=/dev/zero from eating memory.
constexpr std::size_t kMaxFileSize = 16 << 20;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// The file's bytes; nullopt when it does not exist (ENOENT, or ENOTDIR for a path through a
// regular file), which the SDKs treat as an empty file. Any other failure — permissions, a
// directory, an I/O error — is an error naming the file, because silently ignoring a
// credentials file the user can see is worse than stopping. /dev/null and pipes read as files.
Result<std::optional<std::string>> ReadIfExists(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return std::optional<std::string>();
    return Error(ErrorCode::kInvalidArgument, path + ": cannot open: " + ErrnoText(err));
  }
  std::string text;
  char buffer[16384];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Error(ErrorCode::kInvalidArgument, path + ": cannot read: " + ErrnoText(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileSize) {
      close(fd);
      return Error(ErrorCode::kInvalidArgument,
                   path + ": larger than 16 MiB, not an AWS config or credentials file");
    }
  }
  close(fd);
  return std::optional<std::string>(std::move(text));
}

Result<ProfileSet> LoadOne(const std::string& path, ProfileFileKind kind) {
  auto text = ReadIfExists(path);
  if (!text) return std::move(text).error();
  if (!*text) {
    ProfileSet empty;
    (kind == ProfileFileKind::kConfig ? empty.config_path : empty.credentials_path) = path;
    return empty;
  }
  return ParseProfileFile(**text, kind, path);
}

}  // namespace

Result<ProfileSet> LoadProfiles(const Environment& env) {
  auto locations = ResolveProfileFileLocations(env);
  if (!locations) return std::move(locations).error();
  auto config = LoadOne(locations->config, ProfileFileKind::kConfig);
  if (!config) return std::move(config).error();
  auto credentials = LoadOne(locations->credentials, ProfileFileKind::kCredentials);
  if (!credentials) return std::move(credentials).error();
  ProfileSet merged = MergeProfileSets(*config, *credentials);
  merged.config_path = locations->config;
  merged.credentials_path = locations->credentials;
  return merged;
}

}  // namespace hubspoke
