#include "cli/chain_options.h"

#include <algorithm>

#include "cli/command.h"
#include "core/partition.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/config.h"

namespace hubspoke::cli {
namespace {

struct Source {
  std::string value;
  std::string name;  // the flag or env var, for error messages
  bool set = false;
};

Source Pick(const CLI::App& app, const std::string& flag, const std::string& flag_value,
            const Environment& env, const std::string& env_name) {
  if (app.count(flag) > 0) return {flag_value, flag, true};
  if (!env_name.empty()) {
    if (auto v = env.Get(env_name); v && !v->empty()) return {*v, env_name, true};
  }
  return {"", flag + (env_name.empty() ? "" : " (or " + env_name + ")"), false};
}

// The chain's string flags, one row each: the flag, the variable that stands in for it (its
// value is used when the flag is absent; errors name whichever was used), the help, where
// CLI11 stores it, and the input field it fills directly (null: BuildSpokeInput parses it).
// AddChainOptions, BuildSpokeInput and the empty-value check are all made from this table.
struct StringFlag {
  const char* flag;
  const char* env;  // "" when no variable stands in for it
  const char* help;
  std::string ChainFlags::*value;
  std::string SpokeCredentialsInput::*field;
  std::string InputFieldNames::*name;
};

constexpr StringFlag kStringFlags[] = {
    {"--hub-account", "ASSUME_ROLE_HUB_ACCOUNT", "Account id of the hub role",
     &ChainFlags::hub_account, &SpokeCredentialsInput::hub_account_id,
     &InputFieldNames::hub_account_id},
    {"--spoke-account", "ASSUME_ROLE_SPOKE_ACCOUNT", "Account id of the spoke role",
     &ChainFlags::spoke_account, &SpokeCredentialsInput::spoke_account_id,
     &InputFieldNames::spoke_account_id},
    {"--hub-role", "ASSUME_ROLE_HUB_ROLE", "Hub role: name, path/name or role ARN",
     &ChainFlags::hub_role, &SpokeCredentialsInput::hub_role_name,
     &InputFieldNames::hub_role_name},
    {"--spoke-role", "ASSUME_ROLE_SPOKE_ROLE", "Spoke role: name, path/name or role ARN",
     &ChainFlags::spoke_role, &SpokeCredentialsInput::spoke_role_name,
     &InputFieldNames::spoke_role_name},
    {"--external-id", "ASSUME_ROLE_EXTERNAL_ID", "External id for both hops",
     &ChainFlags::external_id, &SpokeCredentialsInput::external_id,
     &InputFieldNames::external_id},
    {"--hub-external-id", "ASSUME_ROLE_HUB_EXTERNAL_ID",
     "External id for the hub hop (default: --external-id)", &ChainFlags::hub_external_id,
     &SpokeCredentialsInput::hub_external_id, &InputFieldNames::hub_external_id},
    {"--spoke-external-id", "ASSUME_ROLE_SPOKE_EXTERNAL_ID",
     "External id for the spoke hop (default: --external-id)", &ChainFlags::spoke_external_id,
     &SpokeCredentialsInput::spoke_external_id, &InputFieldNames::spoke_external_id},
    {"--session-string", "ASSUME_ROLE_SESSION_STRING",
     "Session name: hub '<s>', spoke '<spoke-account>-<s>' (default: <user>-<timestamp>)",
     &ChainFlags::session_string, &SpokeCredentialsInput::session_string,
     &InputFieldNames::session_string},
    {"--duration", "ASSUME_ROLE_DURATION",
     "Spoke session lifetime, 15m–1h (chained sessions are capped at 1 h): 3600, 45m, 1h "
     "[default 1h]",
     &ChainFlags::duration, nullptr, &InputFieldNames::duration},
    {"--region", "",
     "Region of the STS endpoint and for the child [env AWS_REGION, AWS_DEFAULT_REGION, else "
     "the profile's region; default us-east-1]",
     &ChainFlags::region, &SpokeCredentialsInput::region, &InputFieldNames::region},
    {"--endpoint-url", "",
     "STS endpoint URL [env AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else the profile's]",
     &ChainFlags::endpoint_url, &SpokeCredentialsInput::endpoint_url,
     &InputFieldNames::endpoint_url},
    {"--source-identity", "", "Source identity set on the hub session; persists through the chain",
     &ChainFlags::source_identity, &SpokeCredentialsInput::source_identity,
     &InputFieldNames::source_identity},
    {"--mfa-serial", "ASSUME_ROLE_MFA_SERIAL",
     "MFA device of the base user, presented on the hub hop (arn:aws:iam::ACCOUNT:mfa/NAME); "
     "the code is asked for on the terminal, not echoed, unless --mfa-code is given",
     &ChainFlags::mfa_serial, &SpokeCredentialsInput::mfa_serial, &InputFieldNames::mfa_serial},
    {"--mfa-code", "",
     "The 6-digit code of --mfa-serial's device (good once; without a terminal, e.g. in CI)",
     &ChainFlags::mfa_code, &SpokeCredentialsInput::mfa_code, &InputFieldNames::mfa_code},
    {"--policy", "", "File with a session policy (JSON) that scopes the spoke session down",
     &ChainFlags::policy_file, nullptr, &InputFieldNames::policy},
    {"--retries", "", "Retries per STS call on throttling, 5xx and network errors [default 3]",
     &ChainFlags::retries, nullptr, &InputFieldNames::retries},
    {"--timeout", "",
     "Give up when the hub and spoke calls, with their retries and waits, take longer (a "
     "silent endpoint would otherwise cost 40 s per hop): 90, 90s, 3m; 0: never [default 3m]",
     &ChainFlags::timeout, nullptr, &InputFieldNames::chain_timeout},
    {"--profile", "",
     "Profile of ~/.aws/config for the base identity (role_arn/source_profile chains, SSO, "
     "credential_process, static keys) and region [env AWS_PROFILE]",
     &ChainFlags::profile, &SpokeCredentialsInput::profile, &InputFieldNames::profile},
};

}  // namespace

void AddChainOptions(CLI::App& app, ChainFlags& f) {
  for (const StringFlag& row : kStringFlags) {
    if (f.many_spokes && (row.value == &ChainFlags::spoke_account ||
                          row.value == &ChainFlags::timeout)) {
      continue;  // fanout's own --spoke-accounts and --timeout (per account, the child too)
    }
    std::string help = row.help;
    if (*row.env != '\0') help += std::string(" [env ") + row.env + "]";
    CLI::Option* option = app.add_option(row.flag, f.*row.value, help);
    if (row.value == &ChainFlags::policy_file) option->type_name("FILE");  // completes file names
  }
  app.add_option("--tag", f.tags, "Session tag KEY=VALUE on the spoke session (repeatable)");
  app.add_option("--policy-arn", f.policy_arns,
                 "Managed policy ARN used as a session policy for the spoke session (repeatable)");
  // Many spokes keep their hub session in memory for the whole run: no on-disk cache.
  if (!f.many_spokes) {
    app.add_flag("--cache", f.cache,
                 "Reuse the hub session of an earlier run (saved 0600 in $XDG_RUNTIME_DIR or "
                 "~/.cache/assume-spoke-role) until 5 min before it expires [env ASSUME_ROLE_CACHE=1]");
    app.add_flag("--no-cache", f.no_cache, "Do not use the hub session cache (beats ASSUME_ROLE_CACHE)");
  }
  app.add_flag("-v,--verbose", f.verbose,
               "Log each step to stderr (identities, role ARNs, request ids, timing; never "
               "secrets)");
}

Result<SpokeCredentialsInput> BuildSpokeInput(const CLI::App& app, const ChainFlags& f,
                                              const Environment& env, const FileSystem& files,
                                              const ProfileSet& profiles) {
  SpokeCredentialsInput in;
  InputFieldNames names;
  Source duration;
  for (const StringFlag& row : kStringFlags) {
    if (f.many_spokes && (row.value == &ChainFlags::spoke_account ||
                          row.value == &ChainFlags::timeout)) {
      continue;  // fanout's own --spoke-accounts and --timeout (per account, the child too)
    }
    // An explicitly empty flag is a mistake, not "use the default".
    if (app.count(row.flag) > 0 && (f.*row.value).empty())
      return Error(ErrorCode::kInvalidArgument, std::string(row.flag) + ": the value is empty");
    Source s = Pick(app, row.flag, f.*row.value, env, row.env);
    names.*row.name = s.name;
    if (row.field != nullptr) in.*row.field = s.value;
    if (row.value == &ChainFlags::duration) duration = s;
  }

  if (duration.set) {
    auto seconds = ParseDuration(duration.name, duration.value);
    if (!seconds) return std::move(seconds).error();
    if (auto s = ValidateDuration(duration.name, *seconds, /*chained=*/true, duration.value); !s)
      return std::move(s).error();
    in.duration = *seconds;
  }
  if (!f.many_spokes && app.count("--timeout") > 0) {
    auto seconds = ParseDuration("--timeout", f.timeout);
    if (!seconds) return std::move(seconds).error();
    if (*seconds > std::chrono::hours(24)) {
      return Error(ErrorCode::kInvalidArgument, "--timeout: invalid value '" +
                                                    Printable(f.timeout, 40) +
                                                    "': the chain's timeout is 0 (none) to 24h");
    }
    in.chain_timeout = *seconds;
  }
  if (app.count("--retries") > 0) {
    const std::string& r = f.retries;
    if (r.empty() || r.size() > 3 || r.find_first_not_of("0123456789") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument,
                   "--retries: invalid value '" + Printable(r, 20) + "': retries are 0–20");
    in.retries = std::stoi(r);
  }
  names.tags = "--tag";
  for (const auto& t : f.tags) {
    std::size_t eq = t.find('=');
    if (eq == std::string::npos)
      return Error(ErrorCode::kInvalidArgument,
                   "--tag: invalid value '" + Printable(t, 80) + "': a tag is KEY=VALUE");
    in.tags.push_back({t.substr(0, eq), t.substr(eq + 1)});
  }
  names.policy_arns = "--policy-arn";
  in.policy_arns = f.policy_arns;
  if (!f.policy_file.empty()) {
    names.policy = "--policy " + f.policy_file;
    // 1 MiB: far above what STS accepts (2048 packed characters), far below a memory problem.
    auto file = files.Read(f.policy_file, {.max_bytes = 1 << 20});
    if (!file.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   ReadFileError("--policy", f.policy_file, file));
    }
    in.policy = std::move(file.bytes);
    if (in.policy.empty())
      return Error(ErrorCode::kInvalidArgument, "--policy: the file '" +
                                                    Printable(f.policy_file, 200) + "' is empty");
  }
  // Region and endpoint: the library's rule (flags, environment, then the profile).
  auto endpoint = ResolveSpokeEndpoint(in, env, profiles, names);
  if (!endpoint) return std::move(endpoint).error();
  // Many spokes: the accounts are selected elsewhere; any valid one checks the rest of the input.
  if (f.many_spokes) in.spoke_account_id = "000000000000";
  if (auto s = ValidateSpokeInput(in, names, std::string(PartitionForRegion(endpoint->region).id));
      !s)
    return std::move(s).error();
  if (f.many_spokes) in.spoke_account_id.clear();
  return in;
}

CachingOptions ChildRefreshWindows(std::chrono::seconds duration) {
  CachingOptions o;
  o.advisory_window = std::max(o.advisory_window, std::min<std::chrono::seconds>(
                                                      std::chrono::minutes(16), duration / 2));
  o.mandatory_window = std::max(o.mandatory_window, std::min<std::chrono::seconds>(
                                                        std::chrono::minutes(11), duration / 4));
  return o;
}

Result<std::unique_ptr<ChildSharedConfigFiles>> MakeChildConfigFiles(
    const SystemContext& sys, const ProfileSet& profiles, const std::string& profile_flag) {
  const std::string profile = SelectedProfileName(sys.env, profile_flag);
  auto files =
      ChildSharedConfigFiles::Create(sys.env, sys.files, ChildSharedConfig(profiles, profile));
  if (files) {
    sys.log.Log(LogLevel::kDebug, "the command sees the settings of profile " + profile +
                                      " without identities, in " + (*files)->config_file());
  }
  return files;
}

Result<std::unique_ptr<ChainSetup>> PrepareChain(const CLI::App& app, const ChainFlags& flags) {
  auto setup = std::make_unique<ChainSetup>(flags.verbose ? LogLevel::kDebug : LogLevel::kWarning);
  auto profiles = LoadCliProfiles(setup->sys.env, setup->sys.files);
  if (!profiles) return std::move(profiles).error();
  setup->profiles = std::move(*profiles);
  auto input = BuildSpokeInput(app, flags, setup->sys.env, setup->sys.files, setup->profiles);
  if (!input) return std::move(input).error();
  setup->input = std::move(*input);
  setup->base = MakeBaseProvider(setup->sys, setup->profiles, flags.profile);
  return setup;
}

Result<ProfileSet> LoadCliProfiles(const Environment& env, const FileSystem& files) {
  auto profiles = LoadProfiles(env, files);
  if (!profiles) return std::move(profiles).error().WithCode(ErrorCode::kInvalidArgument);
  return profiles;
}

std::unique_ptr<CredentialsProvider> MakeBaseProvider(const SystemContext& sys,
                                                      const ProfileSet& profiles,
                                                      const std::string& profile_flag) {
  return MakeDefaultCredentialsChain(sys, profiles, DefaultChainOptions{.profile = profile_flag});
}

Result<std::unique_ptr<HubSessionFileCache>> MakeCliHubCache(const ChainFlags& flags,
                                                         const SystemContext& sys) {
  if (flags.cache && flags.no_cache) {
    return Error(ErrorCode::kInvalidArgument, "--cache and --no-cache cannot be used together");
  }
  bool wanted = flags.cache;
  if (!wanted && !flags.no_cache) {
    auto env = sys.env.Get("ASSUME_ROLE_CACHE");
    if (env && !env->empty()) {
      if (*env == "1" || *env == "true") {
        wanted = true;
      } else if (*env != "0" && *env != "false") {
        return Error(ErrorCode::kInvalidArgument,
                     "ASSUME_ROLE_CACHE: '" + *env + "' must be 1, true, 0 or false");
      }
    }
  }
  if (!wanted) return std::unique_ptr<HubSessionFileCache>();
  auto directory = DefaultHubSessionFileCacheDirectory(sys.env);
  if (!directory) return std::move(directory).error().WithCode(ErrorCode::kInvalidArgument);
  return std::make_unique<HubSessionFileCache>(std::move(*directory), sys.clock, sys.log, sys.files);
}

Result<SpokeCredentials> GetCliSpokeCredentials(const ChainFlags& flags,
                                                const SpokeCredentialsInput& input,
                                                const SystemContext& sys,
                                                const ProfileSet& profiles,
                                                CredentialsProvider& base) {
  auto cache = MakeCliHubCache(flags, sys);
  if (!cache) return std::move(cache).error();
  return GetSpokeCredentials(input, sys, base,
                             SpokeChainOptions{.hub_cache = cache->get(), .profiles = &profiles});
}

namespace {

// The flags behind a chain error, or "" when no flag would change it.
std::string FlagsFor(const Error& e) {
  const std::string aws = e.aws() ? e.aws()->code : "";
  if (aws == "ValidationError" && !e.hint().empty()) return "--duration";  // hints.cc: durations
  if (aws == "RegionDisabledException") return "--region";
  if (aws == "MalformedPolicyDocument") return "--policy";
  if (aws == "PackedPolicyTooLarge") return "--policy, --tag, --policy-arn";
  switch (e.reason()) {
    case ErrorReason::kCredentialProcessLoop:
    case ErrorReason::kNoCredentialsFound:
      return "--profile";
    default:
      break;
  }
  switch (e.code()) {
    case ErrorCode::kThrottled: return "--retries";
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
      if (e.reason() == ErrorReason::kDeadline) return "--timeout, --endpoint-url, --region";
      return "--endpoint-url, --region";
    default: return "";
  }
}

}  // namespace

int ReportChainError(const Error& error) {
  std::string hint = error.hint();
  const std::string flags = FlagsFor(error);
  if (!flags.empty() && !hint.empty()) hint += " (" + flags + ")";
  const std::string aws = error.aws() ? error.aws()->code : "";
  if (aws == "AccessDenied" || aws == "AccessDeniedException") {
    // STS does not say which side refused; explain evaluates the same hops offline, statement
    // by statement, in exports of the organization's IAM.
    hint += std::string(hint.empty() ? "" : "; ") +
            "to see which policy statement refuses, run `assume-spoke-role explain` with the "
            "same chain flags and --iam-export DIR (docs/policies.md)";
  }
  if (hint == error.hint()) return ReportError(error);
  return ReportError(Error(error).WithHint(hint));
}

std::string ChainHelpFooter(bool many_spokes) {
  std::string text = R"HELP(
Base credentials (the identity that assumes the hub role), found as the AWS SDKs find them:
  1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (aws-vault exec, CI);
     skipped when --profile is given
  2. the profile (--profile, AWS_PROFILE, else default) of AWS_CONFIG_FILE (~/.aws/config) and
     AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials): role_arn with source_profile or
     credential_source (any depth; mfa_serial asks on the terminal), sso_session (after
     `aws sso login`), static keys, credential_process, web_identity_token_file
  3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (CI OIDC, EKS service accounts)
  4. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI (ECS, EKS Pod Identity)
  5. EC2 instance metadata (IMDSv2; AWS_EC2_METADATA_DISABLED=true skips it)
  `assume-spoke-role whoami` shows which one is used.

)HELP";
  if (!many_spokes) {
    text += R"HELP(Hub session cache (--cache, opt-in): the hub session is saved (mode 0600, directory 0700) in
$XDG_RUNTIME_DIR/assume-spoke-role, else ~/.cache/assume-spoke-role, keyed by the base access
key id and the hub hop, and reused by later runs until 5 minutes before it expires: a cached run
makes one STS call instead of two. Files that are not ours, are open to others or are corrupt
are ignored with a warning. `assume-spoke-role cache clear` removes the saved sessions.

)HELP";
  }
  return text + R"HELP(Environment:
  ASSUME_ROLE_HUB_ACCOUNT, ASSUME_ROLE_SPOKE_ACCOUNT, ASSUME_ROLE_HUB_ROLE,
  ASSUME_ROLE_SPOKE_ROLE, ASSUME_ROLE_EXTERNAL_ID, ASSUME_ROLE_HUB_EXTERNAL_ID,
  ASSUME_ROLE_SPOKE_EXTERNAL_ID, ASSUME_ROLE_SESSION_STRING, ASSUME_ROLE_DURATION
  stand in for the flags of the same name; a flag beats its variable.
  AWS_REGION / AWS_DEFAULT_REGION (else the profile's region) pick the region,
  AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (else the profile's [services] sts endpoint_url or
  endpoint_url) the STS endpoint, AWS_CA_BUNDLE the trusted CAs, HTTPS_PROXY / NO_PROXY the
  proxy.

Exit status:
  0 success; 2 bad flags, environment or files (nothing was sent); 1 any other failure.
  `run` exits with the command's status, or 128+N when it dies of signal N.

Security (docs/SECURITY.md): the tool never dumps core and cannot be attached to; a closed
stdin, stdout or stderr is reopened on /dev/null; files named by flags, variables and profiles
must be regular files of bounded size; what STS returns is validated before it is used; a
credential_process profile that calls the tool back with itself fails with
"credential_process loop: a → b → a".
)HELP";
}

}  // namespace hubspoke::cli
