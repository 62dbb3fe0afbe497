// Printing spoke credentials for other programs.
#pragma once

#include <string>
#include <string_view>

#include "hubspoke/hubspoke.h"

namespace hubspoke {

enum class CredentialsFormat {
  kEnv,                // AWS_ACCESS_KEY_ID=… lines (dotenv, `env $(…)`)
  kExport,             // export AWS_ACCESS_KEY_ID='…' lines for eval in a POSIX shell
  kJson,               // {"AccessKeyId":…,"AssumedRoleUser":{…},…}
  kCredentialProcess,  // {"Version":1,…} as credential_process in ~/.aws/config expects
};

Result<CredentialsFormat> ParseCredentialsFormat(std::string_view what, std::string_view text);

// Security: the result holds the secret key and session token; it is meant for stdout of the
// `credentials` command only.
std::string FormatCredentials(const SpokeCredentials& spoke, CredentialsFormat format);

}  // namespace hubspoke
