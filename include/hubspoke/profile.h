// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials), parsed and
// merged exactly as the AWS SDKs do (the cross-SDK parser suite in
// ../shared/testdata/profile/smithy-python is the specification).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

// A property's value: a plain string, or (for `s3 =` followed by indented lines) sub-properties.
struct ProfileValue {
  std::string value;
  std::map<std::string, std::string> sub_properties;  // keys lower-cased
  bool has_sub_properties = false;
};

// One section: a profile, an sso-session or a services section. Property keys are lower-cased;
// section names keep their case.
struct ProfileSection {
  std::string name;
  std::map<std::string, ProfileValue> properties;

  // The property's plain value, or nullopt when absent (or when it only has sub-properties).
  std::optional<std::string> Get(std::string_view key) const;
  // A sub-property (`[services x]` → `sts =` → `endpoint_url = …`), or nullopt.
  std::optional<std::string> GetSub(std::string_view key, std::string_view sub_key) const;
};

struct ProfileSet {
  std::map<std::string, ProfileSection> profiles;      // "default", "dev", …
  std::map<std::string, ProfileSection> sso_sessions;  // [sso-session NAME]
  std::map<std::string, ProfileSection> services;      // [services NAME]
  // Where the data came from, for messages ("~/.aws/config" as resolved).
  std::string config_path;
  std::string credentials_path;

  const ProfileSection* FindProfile(std::string_view name) const;
  const ProfileSection* FindSsoSession(std::string_view name) const;
  const ProfileSection* FindServices(std::string_view name) const;
};

// Whether a property (or sub-property) name holds a secret and is never shown: a name containing
// "secret", "token" or "password" (any case: aws_secret_access_key, aws_session_token,
// aws_security_token, a tool's own client_secret or api_token, even web_identity_token_file),
// and external_id (which guards a role against the confused deputy).
bool IsSecretProfileKey(std::string_view key);
// Replaces the value of every such property and sub-property, in every section, with "****".
void MaskProfileSecrets(ProfileSet& set);

enum class ProfileFileKind { kConfig, kCredentials };

// Parses one file's text. `path` names the file in errors, which are kInvalidArgument, one line,
// and name the file and line ("~/.aws/config:12: expected '=' in a property line …"); it is also
// stored as the set's config_path or credentials_path. In a config file profiles are
// `[profile NAME]` (and `[default]`, ignored when `[profile default]` exists); in a credentials
// file `[NAME]`. Sections with invalid names are ignored with their properties, as the SDKs do.
// Security: errors quote section headers and property names, never values.
Result<ProfileSet> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                    std::string_view path);

// Merges as the SDKs do: same-named sections' properties combined, `credentials` winning (a
// property replaced whole, sub-properties included). Paths: config's config_path, credentials'
// credentials_path.
ProfileSet MergeProfileSets(const ProfileSet& config, const ProfileSet& credentials);

struct ProfileFileLocations {
  std::string config;       // AWS_CONFIG_FILE, else ~/.aws/config
  std::string credentials;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
};
// "~" expands to the user's home: HOME, else (on Linux) the passwd entry's home directory, as
// the file-location suite specifies for non-Windows platforms. Empty variables count as unset.
// kNotConfigured when a path needs a home and there is none.
Result<ProfileFileLocations> ResolveProfileFileLocations(const Environment& env);

// Reads (through `files`) and merges both files and fills config_path and credentials_path. A
// missing file counts as empty; an unreadable or malformed one is a kInvalidArgument error
// naming it.
Result<ProfileSet> LoadProfiles(const Environment& env, const FileSystem& files);

// The profile to use: `explicit_name` when not empty, else AWS_PROFILE, else AWS_DEFAULT_PROFILE,
// else "default". Empty variables count as unset.
std::string SelectedProfileName(const Environment& env, const std::string& explicit_name);

}  // namespace hubspoke
