#include "hubspoke/hub_session_file_cache.h"

#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/json_wipe.h"
#include "core/time.h"
#include "crypto/sha256.h"

namespace hubspoke {
namespace {

constexpr int kVersion = 1;
constexpr std::size_t kMaxFileBytes = 64 * 1024;

std::string Octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

bool IsEntryName(std::string_view name) {
  if (name.rfind(".tmp-", 0) == 0) return true;
  if (name.size() != 64 + 5 || name.substr(64) != ".json") return false;
  return name.substr(0, 64).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Why a file or directory we did not create ourselves just now must not be trusted; empty when
// it may be.
std::string Untrusted(const FileStat& st, bool want_directory) {
  if (want_directory ? st.type != FileType::kDirectory : st.type != FileType::kRegular) {
    return want_directory ? "not a directory" : "not a regular file";
  }
  if (st.owner != geteuid()) return "owned by uid " + std::to_string(st.owner) + ", not us";
  if ((st.mode & 077) != 0) return "mode " + Octal(st.mode) + " lets others in";
  return "";
}

// mkdir -p with 0700 for the directories we create: empty, or why not.
std::string MakeDirectories(FileSystem& files, const std::string& path) {
  if (path.empty()) return "No such file or directory";
  if (auto st = files.Stat(path); st.ok()) {
    return st.stat.type == FileType::kDirectory ? "" : "File exists";
  }
  std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (std::string why = MakeDirectories(files, path.substr(0, slash)); !why.empty()) return why;
  }
  auto made = files.CreateDirectory(path, 0700);
  return made.ok() || made.status == FileOpStatus::kExists ? "" : made.reason;
}

}  // namespace

Result<std::string> DefaultHubSessionFileCacheDirectory(const Environment& env) {
  for (const char* name : {"XDG_RUNTIME_DIR", "XDG_CACHE_HOME"}) {
    auto v = env.Get(name);
    if (v && !v->empty() && v->front() == '/') return *v + "/assume-spoke-role";
  }
  auto home = env.Get("HOME");
  if (home && !home->empty()) return *home + "/.cache/assume-spoke-role";
  return Error(ErrorCode::kNotConfigured,
               "cache: no directory for the session cache: XDG_RUNTIME_DIR, XDG_CACHE_HOME and "
               "HOME are all unset");
}

HubSessionFileCache::HubSessionFileCache(std::string directory, const Clock& clock, Logger& log,
                                 FileSystem& files, std::chrono::seconds margin)
    : directory_(std::move(directory)), clock_(clock), log_(log), files_(files), margin_(margin) {}

std::string HubSessionFileCache::KeyFor(std::string_view base_access_key_id,
                                    std::string_view hub_hop) {
  std::string material = "assume-spoke-role hub session v1\n";
  material += std::to_string(base_access_key_id.size());
  material += ':';
  material += base_access_key_id;
  material += std::to_string(hub_hop.size());
  material += ':';
  material += hub_hop;
  return HexEncode(crypto::Sha256(material));
}

std::string HubSessionFileCache::PathFor(const std::string& key) const {
  return directory_ + "/" + key + ".json";
}

bool HubSessionFileCache::DirectoryUsable(bool create) {
  if (create) {
    if (std::string why = MakeDirectories(files_, directory_); !why.empty()) {
      log_.Log(LogLevel::kWarning, "cache: cannot create " + directory_ + ": " + why +
                                       "; running without the session cache");
      return false;
    }
  }
  auto st = files_.Stat(directory_, /*follow_symlinks=*/false);
  if (!st.ok()) {
    if (st.status != FileOpStatus::kNotFound) {
      log_.Log(LogLevel::kWarning, "cache: ignoring " + directory_ + ": " + st.reason);
    }
    return false;
  }
  if (st.stat.type == FileType::kSymlink) {
    log_.Log(LogLevel::kWarning, "cache: ignoring " + directory_ + ": it is a symbolic link");
    return false;
  }
  if (std::string why = Untrusted(st.stat, /*want_directory=*/true); !why.empty()) {
    log_.Log(LogLevel::kWarning, "cache: ignoring " + directory_ + ": " + why);
    return false;
  }
  return true;
}

std::optional<CachedHubSession> HubSessionFileCache::Load(const std::string& key) {
  if (!DirectoryUsable(/*create=*/false)) return std::nullopt;
  const std::string path = PathFor(key);
  auto ignore = [&](const std::string& why) -> std::optional<CachedHubSession> {
    log_.Log(LogLevel::kWarning, "cache: ignoring " + path + ": " + why);
    return std::nullopt;
  };
  // Not a symbolic link, not /dev/null: only a regular file of ours that others cannot read.
  auto ours = [](const FileStat& st) { return Untrusted(st, /*want_directory=*/false); };
  auto file = files_.Read(path, {.max_bytes = kMaxFileBytes,
                                 .follow_symlinks = false,
                                 .dev_null_reads_empty = false,
                                 .check = ours});
  std::string& text = file.bytes;
  if (file.status == ReadFileStatus::kNotFound) {
    log_.Log(LogLevel::kDebug, "cache: no cached hub session");
    return std::nullopt;
  }
  if (!file.ok()) return ignore(file.reason);

  // Security: parse errors are not quoted (they would quote the secret).
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const JsonWiper wipe_doc{doc};  // it holds the hub session's secret and token
  explicit_bzero(text.data(), text.size());
  auto string_field = [&](const char* name) -> const std::string* {
    if (!doc.is_object()) return nullptr;
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  if (!doc.is_object()) return ignore("not a JSON object (corrupt)");
  auto version = doc.find("Version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != kVersion) {
    return ignore("unknown Version");
  }
  const std::string* file_key = string_field("Key");
  if (file_key == nullptr || *file_key != key) return ignore("made for another key");
  const std::string* id = string_field("AccessKeyId");
  const std::string* secret = string_field("SecretAccessKey");
  const std::string* token = string_field("SessionToken");
  const std::string* expiration = string_field("Expiration");
  const std::string* arn = string_field("HubSessionArn");
  if (!id || !secret || !token || !expiration || !arn || id->empty() || secret->empty() ||
      token->empty()) {
    return ignore("a field is missing (corrupt)");
  }
  auto expires = ParseTimestamp(*expiration);
  if (!expires) return ignore("bad Expiration (corrupt)");
  if (*expires - margin_ <= clock_.Now()) {
    log_.Log(LogLevel::kDebug, "cache: the cached hub session expires at " +
                                   FormatRfc3339(*expires) + ", too soon to use");
    return std::nullopt;
  }
  CachedHubSession session;
  session.credentials.access_key_id = *id;
  session.credentials.secret_access_key = SecretString(*secret);
  session.credentials.session_token = SecretString(*token);
  session.credentials.expiration = *expires;
  session.session_arn = *arn;
  return session;
}

void HubSessionFileCache::Store(const std::string& key, const CachedHubSession& session) {
  if (!session.credentials.expiration || session.credentials.session_token.empty()) return;
  if (!DirectoryUsable(/*create=*/true)) return;
  nlohmann::json doc = {{"Version", kVersion},
                        {"Key", key},
                        {"AccessKeyId", session.credentials.access_key_id},
                        {"SecretAccessKey", std::string(session.credentials.secret_access_key.reveal())},
                        {"SessionToken", std::string(session.credentials.session_token.reveal())},
                        {"Expiration", FormatRfc3339(*session.credentials.expiration)},
                        {"HubSessionArn", session.session_arn}};
  const JsonWiper wipe_doc{doc};
  std::string text = doc.dump();
  const std::string path = PathFor(key);
  // A temporary file in the directory (".tmp-XXXXXX", which Clear also removes), 0600, fsynced,
  // renamed over the entry.
  auto written = files_.WriteAtomically(path, text, 0600);
  explicit_bzero(text.data(), text.size());
  if (!written.ok()) {
    log_.Log(LogLevel::kWarning, "cache: cannot save " + path + ": " + written.reason);
    return;
  }
  log_.Log(LogLevel::kDebug, "cache: saved the hub session in " + path);
}

Result<int> HubSessionFileCache::Clear() {
  auto st = files_.Stat(directory_, /*follow_symlinks=*/false);
  if (!st.ok()) {
    if (st.status == FileOpStatus::kNotFound) return 0;
    return Error(ErrorCode::kInternal, "cache clear: " + directory_ + ": " + st.reason);
  }
  if (st.stat.type != FileType::kDirectory) {
    return Error(ErrorCode::kInternal,
                 "cache clear: " + directory_ + " is not a directory; remove it by hand");
  }
  auto listed = files_.List(directory_);
  if (!listed.ok()) {
    return Error(ErrorCode::kInternal, "cache clear: " + directory_ + ": " + listed.reason);
  }
  int removed = 0;
  std::string failure;
  for (const std::string& name : listed.names) {
    if (!IsEntryName(name)) continue;
    std::string path = directory_ + "/" + name;
    auto gone = files_.Remove(path);
    if (gone.ok()) {
      ++removed;
    } else if (gone.status != FileOpStatus::kNotFound && failure.empty()) {
      failure = path + ": " + gone.reason;
    }
  }
  if (!failure.empty()) return Error(ErrorCode::kInternal, "cache clear: cannot remove " + failure);
  return removed;
}

}  // namespace hubspoke
