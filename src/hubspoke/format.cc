#include "hubspoke/format.h"

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"

namespace hubspoke {

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
      {"AWS_SECRET_ACCESS_KEY", c.secret_access_key.reveal()},
      {"AWS_SESSION_TOKEN", c.session_token.reveal()},
      {"AWS_SECURITY_TOKEN", c.session_token.reveal()},
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
      for (const auto& [k, v] : vars) out += k + "=" + v + "\n";
      return out;
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
