// An opt-in on-disk cache of hub sessions, for repeated short runs (`run --cache`,
// `credentials --cache`): a cached run makes one STS call (the spoke's AssumeRole) instead of two.
//
// Layout and trust rules (Security):
//   * one directory per user: $XDG_RUNTIME_DIR/assume-spoke-role when XDG_RUNTIME_DIR is set (a
//     per-user tmpfs that disappears at logout), else $XDG_CACHE_HOME/assume-spoke-role, else
//     ~/.cache/assume-spoke-role; created 0700. A directory that is a symlink, is owned by
//     someone else or is open to group or others is not used (a warning, then no caching).
//   * one file per entry, named by the SHA-256 of its key: the base identity's access key id and
//     everything that shapes the hub session (STS endpoint, signing region, hub role, external
//     id, session name, duration, source identity). Files are 0600 and replaced atomically
//     (written to a temporary file in the same directory, fsynced, renamed).
//   * a file is trusted only when it is a regular file (not a symlink), owned by us, not readable
//     or writable by group or others, well-formed, and made for the same key; anything else is
//     ignored with a warning naming the file and the reason, and never read further.
//   * an entry is used only until its expiration minus `margin`.
// The files hold the hub session's secret key and token, like ~/.aws/cli/cache does.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

// Where the cache lives for this environment (see above). kNotConfigured without any of
// XDG_RUNTIME_DIR, XDG_CACHE_HOME and HOME.
Result<std::string> DefaultHubSessionFileCacheDirectory(const Environment& env);

struct CachedHubSession {
  Credentials credentials;  // always temporary: key id, secret, token, expiration
  std::string session_arn;  // arn:aws:sts::HUB:assumed-role/ROLE/SESSION
};

class HubSessionFileCache {
 public:
  // `clock`, `log` and `files` must outlive the cache. Nothing touches the disk until Load or
  // Store; every file operation goes through `files`.
  HubSessionFileCache(std::string directory, const Clock& clock, Logger& log, FileSystem& files,
                  std::chrono::seconds margin = std::chrono::seconds(300));

  // The key of a hub session: SHA-256 (hex) of the base access key id and the hub hop's
  // description (SpokeSessionKey::hub).
  static std::string KeyFor(std::string_view base_access_key_id, std::string_view hub_hop);

  // The cached session for `key` when there is a trustworthy, unexpired one. Misses are logged
  // at kDebug, ignored files at kWarning.
  std::optional<CachedHubSession> Load(const std::string& key);
  // Saves the session (atomically, 0600). A failure is a warning, never an error: the run goes
  // on uncached.
  void Store(const std::string& key, const CachedHubSession& session);
  // Removes every entry (and leftover temporary file) we own from the directory. Returns how
  // many files were removed; a missing directory is 0.
  Result<int> Clear();

  const std::string& directory() const { return directory_; }

 private:
  bool DirectoryUsable(bool create);
  std::string PathFor(const std::string& key) const;

  std::string directory_;
  const Clock& clock_;
  Logger& log_;
  FileSystem& files_;
  std::chrono::seconds margin_;
};

}  // namespace hubspoke
