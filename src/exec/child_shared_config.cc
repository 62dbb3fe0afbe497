// The child's view of the shared config files (see ChildSharedConfig in exec.h).
#include <array>

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

// In our own new 0700 directory: a temporary file made with O_EXCL|O_NOFOLLOW, 0600, renamed.
Status WriteNew(FileSystem& files, const std::string& path, std::string_view text) {
  auto written = files.WriteAtomically(path, text, 0600);
  if (!written.ok()) return Error(ErrorCode::kInternal, path + ": " + written.reason);
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
    const Environment& env, FileSystem& files, std::string_view config_text) {
  std::string base;
  for (const char* var : {"XDG_RUNTIME_DIR", "TMPDIR"}) {
    auto v = env.Get(var);
    if (v && !v->empty() && v->front() == '/') {
      base = *v;
      break;
    }
  }
  if (base.empty()) base = "/tmp";
  // The directory is 0700 (as mkdtemp makes it): nobody else can list, add or replace its files.
  auto made = files.CreateUniqueDirectory(base + "/assume-spoke-role-child.");
  if (!made.ok()) {
    return Error(ErrorCode::kInternal, "cannot create a private directory for the command's "
                                       "config files in " + base + ": " + made.reason);
  }
  std::unique_ptr<ChildSharedConfigFiles> out(new ChildSharedConfigFiles(files));
  out->directory_ = made.path;
  std::string config = made.path + "/config", credentials = made.path + "/credentials";
  if (auto s = WriteNew(files, config, config_text); !s) return std::move(s).error();
  out->config_ = config;
  if (auto s = WriteNew(files, credentials, ""); !s) return std::move(s).error();
  out->credentials_ = credentials;
  return out;
}

ChildSharedConfigFiles::~ChildSharedConfigFiles() {
  if (!config_.empty()) files_.Remove(config_);
  if (!credentials_.empty()) files_.Remove(credentials_);
  if (!directory_.empty()) files_.Remove(directory_);
}

}  // namespace hubspoke
