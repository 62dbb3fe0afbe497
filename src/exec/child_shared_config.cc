// The child's view of the shared config files (see ChildSharedConfig in exec.h).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "hubspoke/exec.h"

namespace hubspoke {
namespace {

constexpr std::array<std::string_view, 5> kIdentityPrefixes = {"aws_", "sso_", "role_",
                                                               "credential_", "web_identity_"};
constexpr std::array<std::string_view, 5> kIdentityKeys = {
    "source_profile", "external_id", "mfa_serial", "duration_seconds", "login_session"};

void AppendProperty(std::string& out, const std::string& key, const ProfileValue& value) {
  if (value.has_sub_properties) {
    out += key + " =\n";
    for (const auto& [sub_key, sub_value] : value.sub_properties) {
      out += "  " + sub_key + " = " + sub_value + "\n";
    }
  } else {
    out += key + " = " + value.value + "\n";
  }
}

Status WriteNew(const std::string& path, std::string_view text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Error(ErrorCode::kInternal, path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      return Error(ErrorCode::kInternal, path + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) return Error(ErrorCode::kInternal, path + ": " + std::strerror(errno));
  return Ok();
}

}  // namespace

bool IsIdentityProperty(std::string_view key) {
  for (auto prefix : kIdentityPrefixes)
    if (key.substr(0, prefix.size()) == prefix) return true;
  for (auto k : kIdentityKeys)
    if (key == k) return true;
  return false;
}

std::string ChildSharedConfig(const ProfileSet& profiles, std::string_view profile_name) {
  std::string out =
      "# Written by assume-spoke-role for the command it runs: the settings of profile " +
      std::string(profile_name) +
      " without any identity.\n# The command's credentials come from its environment.\n"
      "[default]\n";
  const ProfileSection* profile = profiles.FindProfile(profile_name);
  if (profile == nullptr) return out;
  for (const auto& [key, value] : profile->properties) {
    if (!IsIdentityProperty(key)) AppendProperty(out, key, value);
  }
  // The [services NAME] section the profile points at: endpoints, which say where, not who.
  if (auto services = profile->Get("services")) {
    if (const ProfileSection* section = profiles.FindServices(*services)) {
      out += "\n[services " + section->name + "]\n";
      for (const auto& [key, value] : section->properties) AppendProperty(out, key, value);
    }
  }
  return out;
}

Result<std::unique_ptr<ChildSharedConfigFiles>> ChildSharedConfigFiles::Create(
    const Environment& env, std::string_view config_text) {
  std::string base;
  for (const char* var : {"XDG_RUNTIME_DIR", "TMPDIR"}) {
    auto v = env.Get(var);
    if (v && !v->empty() && v->front() == '/') {
      base = *v;
      break;
    }
  }
  if (base.empty()) base = "/tmp";
  std::string pattern = base + "/assume-spoke-role-child.XXXXXX";
  // mkdtemp makes the directory 0700: nobody else can list, add or replace its files.
  if (mkdtemp(pattern.data()) == nullptr) {
    return Error(ErrorCode::kInternal, "cannot create a private directory for the command's "
                                       "config files in " + base + ": " + std::strerror(errno));
  }
  std::unique_ptr<ChildSharedConfigFiles> files(new ChildSharedConfigFiles());
  files->directory_ = pattern;
  std::string config = pattern + "/config", credentials = pattern + "/credentials";
  if (auto s = WriteNew(config, config_text); !s) return std::move(s).error();
  files->config_ = config;
  if (auto s = WriteNew(credentials, ""); !s) return std::move(s).error();
  files->credentials_ = credentials;
  return files;
}

ChildSharedConfigFiles::~ChildSharedConfigFiles() {
  if (!config_.empty()) unlink(config_.c_str());
  if (!credentials_.empty()) unlink(credentials_.c_str());
  if (!directory_.empty()) rmdir(directory_.c_str());
}

}  // namespace hubspoke
