// Running a child command with spoke credentials.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/process_runner.h"
#include "hubspoke/profile.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

struct ChildEnvironmentOptions {
  std::string region;  // sets AWS_REGION and AWS_DEFAULT_REGION when not empty
  // The shared config files the child reads (ChildSharedConfigFiles): when not empty, they
  // replace AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE.
  std::string config_file;
  std::string credentials_file;
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

// The child's view of the shared config files. Security: every AWS SDK and the AWS CLI look at a
// profile's keys, role_arn, SSO settings and credential_process (in ~/.aws/config and
// ~/.aws/credentials) before the environment's container endpoint, and some of them before
// anything but the environment's keys; a child that saw our files could run as the base identity
// or as another role instead of the spoke. So the child gets a config file whose [default]
// profile holds the settings of `profile_name` (its region, output, retry, endpoint and s3
// settings, the [services …] section it names) without anything that names or yields an
// identity (aws_*, sso_*, role_*, credential_*, web_identity_*, source_profile, external_id,
// mfa_serial, duration_seconds, login_session), no other profile and no sso-session, and an
// empty credentials file. Pure: the text of that config file.
std::string ChildSharedConfig(const ProfileSet& profiles, std::string_view profile_name);

// True for a profile property that names or yields an identity (see ChildSharedConfig).
bool IsIdentityProperty(std::string_view key);

// The two files, written 0600 in a fresh 0700 directory under $XDG_RUNTIME_DIR (else $TMPDIR,
// else /tmp) and removed, with the directory, by the destructor.
class ChildSharedConfigFiles {
 public:
  // `env` says where (XDG_RUNTIME_DIR, TMPDIR, /tmp); the files are made (and removed by the
  // destructor) through `files`, which must outlive the object.
  static Result<std::unique_ptr<ChildSharedConfigFiles>> Create(const Environment& env,
                                                                FileSystem& files,
                                                                std::string_view config_text);
  ~ChildSharedConfigFiles();
  ChildSharedConfigFiles(const ChildSharedConfigFiles&) = delete;
  ChildSharedConfigFiles& operator=(const ChildSharedConfigFiles&) = delete;

  const std::string& config_file() const { return config_; }
  const std::string& credentials_file() const { return credentials_; }

 private:
  explicit ChildSharedConfigFiles(FileSystem& files) : files_(files) {}
  FileSystem& files_;
  std::string directory_, config_, credentials_;
};

// Runs `argv` (argv[0] looked up on our PATH) with `env`, sharing our stdin, stdout and stderr,
// and waits for it. Every signal whose default action would end us (SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, SIGALRM, SIGPIPE, SIGUSR1/2, SIGXCPU, the real-time signals, …, and a fault signal
// another process sent) is forwarded to the child while it runs, so that we never die and leave
// it orphaned; SIGWINCH is forwarded too. Terminal-generated signals already reach the child
// through the process group and are not sent twice; signals we ignore (nohup) stay ignored for
// the child. The child gets back the core-size limit HardenProcess() lowered. Returns the
// child's exit status, or 128+N when it died of signal N. A command that cannot be started gives
// status 127 (not found) or 126 (not executable), as shells do, with start_error saying why.
struct ChildExit {
  int status;               // what we should exit with
  int signal = 0;           // the signal that killed the child, 0 if it exited
  std::string start_error;  // non-empty when the command could not be started
};
Result<ChildExit> RunChild(const std::vector<std::string>& argv, const EnvVars& env);
// As above, through `runner` (RunChild above uses a real one).
Result<ChildExit> RunChild(ProcessRunner& runner, const std::vector<std::string>& argv,
                           const EnvVars& env);

}  // namespace hubspoke
