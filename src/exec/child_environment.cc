#include <array>
#include <string_view>

#include "core/time.h"
#include "hubspoke/exec.h"

namespace hubspoke {
namespace {

// Variables that select or carry an identity for AWS SDKs and the AWS CLI. Security: a child
// that inherits any of them could act as someone other than the spoke session.
constexpr std::array<std::string_view, 20> kIdentityVars = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCESS_KEY",  // legacy boto names
    "AWS_SECRET_KEY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_VAULT",  // aws-vault's marker; a stale one misleads tools that check it
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_SSO_SESSION",
    "AWS_ACCOUNT_ID",
};

bool IsIdentityVar(std::string_view name) {
  for (auto v : kIdentityVars)
    if (v == name) return true;
  return false;
}

// The parent's environment without identity variables (and without the region when one is set).
EnvVars StrippedParent(const EnvVars& parent, const ChildEnvironmentOptions& options) {
  EnvVars out;
  out.reserve(parent.size() + 8);
  for (const auto& [name, value] : parent) {
    if (IsIdentityVar(name)) continue;
    if (!options.region.empty() && (name == "AWS_REGION" || name == "AWS_DEFAULT_REGION")) continue;
    if (!options.config_file.empty() && name == "AWS_CONFIG_FILE") continue;
    if (!options.credentials_file.empty() && name == "AWS_SHARED_CREDENTIALS_FILE") continue;
    out.emplace_back(name, value);
  }
  return out;
}

void AddRegion(EnvVars& out, const ChildEnvironmentOptions& options) {
  if (!options.region.empty()) {
    out.emplace_back("AWS_REGION", options.region);
    out.emplace_back("AWS_DEFAULT_REGION", options.region);
  }
  if (!options.config_file.empty()) out.emplace_back("AWS_CONFIG_FILE", options.config_file);
  if (!options.credentials_file.empty())
    out.emplace_back("AWS_SHARED_CREDENTIALS_FILE", options.credentials_file);
}

}  // namespace

EnvVars ChildEnvironment(const EnvVars& parent, const Credentials& credentials,
                         const ChildEnvironmentOptions& options) {
  EnvVars out = StrippedParent(parent, options);
  out.emplace_back("AWS_ACCESS_KEY_ID", credentials.access_key_id);
  out.emplace_back("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key.reveal());
  if (!credentials.session_token.empty()) {
    out.emplace_back("AWS_SESSION_TOKEN", credentials.session_token.reveal());
    out.emplace_back("AWS_SECURITY_TOKEN", credentials.session_token.reveal());
  }
  if (credentials.expiration) {
    std::string when = FormatRfc3339(*credentials.expiration);
    out.emplace_back("AWS_SESSION_EXPIRATION", when);
    out.emplace_back("AWS_CREDENTIAL_EXPIRATION", when);
  }
  AddRegion(out, options);
  return out;
}

EnvVars ChildEnvironmentWithEndpoint(const EnvVars& parent, std::string_view full_uri,
                                     const SecretString& authorization_token,
                                     const ChildEnvironmentOptions& options) {
  EnvVars out = StrippedParent(parent, options);
  out.emplace_back("AWS_CONTAINER_CREDENTIALS_FULL_URI", std::string(full_uri));
  out.emplace_back("AWS_CONTAINER_AUTHORIZATION_TOKEN", authorization_token.reveal());
  AddRegion(out, options);
  return out;
}

}  // namespace hubspoke
