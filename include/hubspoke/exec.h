// Running a child command with spoke credentials.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"

namespace hubspoke {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

struct ChildEnvironmentOptions {
  std::string region;  // sets AWS_REGION and AWS_DEFAULT_REGION when not empty
};

// The child's environment: the parent's, minus every variable that could make an AWS client
// pick another identity (static keys, profiles, web identity, container and SSO settings),
// plus the spoke credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_SECURITY_TOKEN, AWS_SESSION_EXPIRATION, AWS_CREDENTIAL_EXPIRATION (RFC 3339) and the
// region. Pure. Endpoint settings (AWS_ENDPOINT_URL*) and AWS_CA_BUNDLE are kept: they say where,
// not who.
EnvVars ChildEnvironment(const EnvVars& parent, const Credentials& credentials,
                         const ChildEnvironmentOptions& options);

// The child's environment for credentials that refresh themselves: as ChildEnvironment, but
// instead of static keys the child gets AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN, the container credentials protocol that every AWS SDK and the
// AWS CLI speak (see CredentialsServer in credentials_server.h). Pure.
EnvVars ChildEnvironmentWithEndpoint(const EnvVars& parent, std::string_view full_uri,
                                     const SecretString& authorization_token,
                                     const ChildEnvironmentOptions& options);

// Runs `argv` (argv[0] looked up on PATH of `env`) with `env`, sharing our stdin, stdout and
// stderr, and waits for it. SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH sent
// to us are forwarded to the child (terminal-generated ones already reach it through the process
// group and are not sent twice). Returns the child's exit status, or 128+N when it died of
// signal N. A command that cannot be started gives status 127 (not found) or 126 (not
// executable), as shells do, with start_error saying why.
struct ChildExit {
  int status;               // what we should exit with
  int signal = 0;           // the signal that killed the child, 0 if it exited
  std::string start_error;  // non-empty when the command could not be started
};
Result<ChildExit> RunChild(const std::vector<std::string>& argv, const EnvVars& env);

}  // namespace hubspoke
