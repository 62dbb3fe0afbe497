// The flags every chain subcommand shares (run, credentials), their environment variables, and
// turning them into a validated SpokeCredentialsInput. A flag beats its environment variable;
// errors name whichever the value came from.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hubspoke/hub_session_file_cache.h"
#include "chain/input_fields.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/profile.h"
#include "hubspoke/credential_sources.h"
#include "hubspoke/caching_provider.h"
#include "hubspoke/exec.h"
#include "hubspoke/system.h"

namespace hubspoke::cli {

struct ChainFlags {
  std::string hub_account, spoke_account, hub_role, spoke_role;
  std::string external_id, hub_external_id, spoke_external_id, session_string;
  std::string duration, region, endpoint_url, source_identity, policy_file, retries,
      timeout;
  std::string profile;  // --profile: the base identity's profile (else AWS_PROFILE, default)
  std::string mfa_serial, mfa_code;  // --mfa-serial (ASSUME_ROLE_MFA_SERIAL), --mfa-code: the hub hop
  std::vector<std::string> tags, policy_arns;
  bool cache = false, no_cache = false;  // --cache / --no-cache (ASSUME_ROLE_CACHE=1 turns it on)
  bool verbose = false;
  // Set before AddChainOptions by a subcommand that acts in many spokes (fanout): there is no
  // --spoke-account flag, ASSUME_ROLE_SPOKE_ACCOUNT is not read, and the input's
  // spoke_account_id is left empty for the caller to fill per account.
  bool many_spokes = false;
};

void AddChainOptions(CLI::App& app, ChainFlags& flags);

// Fills the input from flags and environment variables (input.profile from --profile);
// validates everything, with the region and endpoint resolved over `profiles` as the library
// resolves them (exit 2 errors name the flag or variable). --policy is read through `files`.
Result<SpokeCredentialsInput> BuildSpokeInput(const CLI::App& app, const ChainFlags& flags,
                                              const Environment& env, const FileSystem& files,
                                              const ProfileSet& profiles);

// The base identity: the default chain (environment unless --profile, the profile, web
// identity, container, EC2 instance metadata). `profiles` and `sys` must outlive it.
std::unique_ptr<CredentialsProvider> MakeBaseProvider(const SystemContext& sys,
                                                      const ProfileSet& profiles,
                                                      const std::string& profile_flag);

// What a chain subcommand holds before its first network call: the system, the shared config
// files, the validated input and the base identity (which keeps references to the others, so
// the whole is made and kept in one place).
struct ChainSetup {
  explicit ChainSetup(LogLevel level) : system(level), sys(system.context()) {}
  RealSystem system;
  SystemContext sys;
  ProfileSet profiles;
  SpokeCredentialsInput input;
  std::unique_ptr<CredentialsProvider> base;
};
// Loads the config files, builds and validates the input, makes the base provider. Errors are
// exit-2 input errors; nothing is sent.
Result<std::unique_ptr<ChainSetup>> PrepareChain(const CLI::App& app, const ChainFlags& flags);

// The on-disk hub session cache when --cache (or ASSUME_ROLE_CACHE=1, unless --no-cache) asks
// for it, else null. `sys` must outlive it.
Result<std::unique_ptr<HubSessionFileCache>> MakeCliHubCache(const ChainFlags& flags,
                                                         const SystemContext& sys);

// GetSpokeCredentials with the hub session cache the flags ask for.
Result<SpokeCredentials> GetCliSpokeCredentials(const ChainFlags& flags,
                                                const SpokeCredentialsInput& input,
                                                const SystemContext& sys,
                                                const ProfileSet& profiles,
                                                CredentialsProvider& base);

// How far ahead of expiry a spoke session is refreshed for a --refresh child. botocore (the
// AWS CLI) asks its endpoint again once fewer than 15 minutes are left and on every call once
// fewer than 10 are, so a one-hour spoke session is renewed 16 minutes ahead (and never
// handed out with less than 11 minutes left); shorter sessions keep at least half their life.
CachingOptions ChildRefreshWindows(std::chrono::seconds duration);

// The child's private shared config files: the selected profile's settings without identities
// (ChildSharedConfig in exec.h). `sys` must outlive them.
Result<std::unique_ptr<ChildSharedConfigFiles>> MakeChildConfigFiles(const SystemContext& sys,
                                                                    const ProfileSet& profiles,
                                                                    const std::string& profile_flag);

// The shared config files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws/…); a malformed
// file is a kInvalidArgument error naming file and line.
Result<ProfileSet> LoadCliProfiles(const Environment& env, const FileSystem& files);

// ReportError for the chain's errors: the library's hints speak of the input ("ask for 1 h or
// less"); this adds the flags that set it ("--duration"), chosen by the error's code, AWS error
// code and reason (never its text).
int ReportChainError(const Error& error);

// The text shared by the subcommands' --help: environment variables and base credentials.
std::string ChainHelpFooter(bool many_spokes = false);

}  // namespace hubspoke::cli
