#include "chain/format.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"

namespace hubspoke {
namespace {

// Characters a value may have to be written bare in --format env: every consumer (`set -a; .
// file` in a POSIX shell, docker --env-file, dotenv libraries) reads them literally. Covers the
// key id, secret key and session token as the STS client accepts them
// (src/sts/sts_response_check.h), RFC 3339 times and region names.
bool IsBareEnvChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/' || c == '=' || c == '.' || c == '_' || c == ':' || c == '-';
}

// KEY=value lines. Defensive (the STS client already refuses such values): no quoting is right
// for every consumer (docker keeps quotes, `env $(…)` splits words at spaces even inside them),
// so a value with any other character is not written at all; the output is then one comment
// line naming the variable, and whoever sources it gets no credentials rather than wrong ones.
std::string EnvLines(const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  for (const auto& [k, v] : vars) {
    if (!std::all_of(v.begin(), v.end(), IsBareEnvChar)) {
      std::fill(out.begin(), out.end(), '\0');  // Security: lines already holding secrets.
      return "# assume-spoke-role: credentials not written: " + k +
             " has characters an env file cannot carry safely (allowed: A-Z a-z 0-9 + / = . _ "
             ": -)\n";
    }
    out += k + "=" + v + "\n";
  }
  return out;
}

}  // namespace

Result<CredentialsFormat> ParseCredentialsFormat(std::string_view what, std::string_view text) {
  if (text == "env") return CredentialsFormat::kEnv;
  if (text == "export") return CredentialsFormat::kExport;
  if (text == "json") return CredentialsFormat::kJson;
  if (text == "credential-process") return CredentialsFormat::kCredentialProcess;
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + ": invalid value '" + Printable(text, 40) +
                   "': the format is one of env, export, json, credential-process");
}

std::string FormatCredentials(const SpokeCredentials& spoke, CredentialsFormat format) {
  const Credentials& c = spoke.credentials;
  const std::string expiration = c.expiration ? FormatRfc3339(*c.expiration) : "";
  std::vector<std::pair<std::string, std::string>> vars = {
      {"AWS_ACCESS_KEY_ID", c.access_key_id},
      {"AWS_SECRET_ACCESS_KEY", std::string(c.secret_access_key.reveal())},
      {"AWS_SESSION_TOKEN", std::string(c.session_token.reveal())},
      {"AWS_SECURITY_TOKEN", std::string(c.session_token.reveal())},
      {"AWS_SESSION_EXPIRATION", expiration},
      {"AWS_CREDENTIAL_EXPIRATION", expiration},
  };
  if (!spoke.region.empty()) {
    vars.emplace_back("AWS_REGION", spoke.region);
    vars.emplace_back("AWS_DEFAULT_REGION", spoke.region);
  }
  std::string out;
  switch (format) {
    case CredentialsFormat::kEnv:
      return EnvLines(vars);
    case CredentialsFormat::kExport:
      for (const auto& [k, v] : vars) out += "export " + k + "=" + ShellQuote(v) + "\n";
      return out;
    case CredentialsFormat::kJson:
      out = "{\"AccessKeyId\":" + JsonQuote(c.access_key_id) +
            ",\"SecretAccessKey\":" + JsonQuote(c.secret_access_key.reveal()) +
            ",\"SessionToken\":" + JsonQuote(c.session_token.reveal()) +
            ",\"Expiration\":" + JsonQuote(expiration) +
            ",\"AssumedRoleUser\":{\"Arn\":" + JsonQuote(spoke.assumed_role_arn) +
            ",\"AssumedRoleId\":" + JsonQuote(spoke.assumed_role_id) + "}" +
            ",\"Region\":" + JsonQuote(spoke.region) + "}\n";
      return out;
    case CredentialsFormat::kCredentialProcess:
      out = "{\"Version\":1,\"AccessKeyId\":" + JsonQuote(c.access_key_id) +
            ",\"SecretAccessKey\":" + JsonQuote(c.secret_access_key.reveal()) +
            ",\"SessionToken\":" + JsonQuote(c.session_token.reveal()) +
            ",\"Expiration\":" + JsonQuote(expiration) + "}\n";
      return out;
  }
  return out;
}

}  // namespace hubspoke
