#include "cli/chain_options.h"

#include "cli/command.h"
#include "core/partition.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/config.h"
#include "sys/read_file.h"

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
  return {"", flag + " (or " + env_name + ")", false};
}

}  // namespace

void AddChainOptions(CLI::App& app, ChainFlags& f) {
  app.add_option("--hub-account", f.hub_account,
                 "Account id of the hub role [env ASSUME_ROLE_HUB_ACCOUNT]");
  app.add_option("--spoke-account", f.spoke_account,
                 "Account id of the spoke role [env ASSUME_ROLE_SPOKE_ACCOUNT]");
  app.add_option("--hub-role", f.hub_role,
                 "Hub role: name, path/name or role ARN [env ASSUME_ROLE_HUB_ROLE]");
  app.add_option("--spoke-role", f.spoke_role,
                 "Spoke role: name, path/name or role ARN [env ASSUME_ROLE_SPOKE_ROLE]");
  app.add_option("--external-id", f.external_id,
                 "External id for both hops [env ASSUME_ROLE_EXTERNAL_ID]");
  app.add_option("--hub-external-id", f.hub_external_id,
                 "External id for the hub hop (default: --external-id) "
                 "[env ASSUME_ROLE_HUB_EXTERNAL_ID]");
  app.add_option("--spoke-external-id", f.spoke_external_id,
                 "External id for the spoke hop (default: --external-id) "
                 "[env ASSUME_ROLE_SPOKE_EXTERNAL_ID]");
  app.add_option("--session-string", f.session_string,
                 "Session name: hub '<s>', spoke '<spoke-account>-<s>' (default: "
                 "<user>-<timestamp>) [env ASSUME_ROLE_SESSION_STRING]");
  app.add_option("--duration", f.duration,
                 "Spoke session lifetime, 15m–1h (chained sessions are capped at 1 h): 3600, "
                 "45m, 1h [default 1h] [env ASSUME_ROLE_DURATION]");
  app.add_option("--region", f.region,
                 "Region of the STS endpoint and for the child [env AWS_REGION, "
                 "AWS_DEFAULT_REGION; default us-east-1]");
  app.add_option("--endpoint-url", f.endpoint_url,
                 "STS endpoint URL [env AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL]");
  app.add_option("--source-identity", f.source_identity,
                 "Source identity set on the hub session; persists through the chain");
  app.add_option("--tag", f.tags, "Session tag KEY=VALUE on the spoke session (repeatable)");
  app.add_option("--policy", f.policy_file,
                 "File with a session policy (JSON) that scopes the spoke session down");
  app.add_option("--policy-arn", f.policy_arns,
                 "Managed policy ARN used as a session policy for the spoke session (repeatable)");
  app.add_option("--retries", f.retries,
                 "Retries per STS call on throttling, 5xx and network errors [default 3]");
  app.add_option("--profile", f.profile,
                 "Profile of ~/.aws/config for the base identity (role_arn/source_profile "
                 "chains, SSO, credential_process, static keys) and region [env AWS_PROFILE]");
  app.add_flag("--cache", f.cache,
               "Reuse the hub session of an earlier run (saved 0600 in $XDG_RUNTIME_DIR or "
               "~/.cache/assume-spoke-role) until 5 min before it expires [env ASSUME_ROLE_CACHE=1]");
  app.add_flag("--no-cache", f.no_cache, "Do not use the hub session cache (beats ASSUME_ROLE_CACHE)");
  app.add_flag("-v,--verbose", f.verbose,
               "Log each step to stderr (identities, role ARNs, request ids, timing; never "
               "secrets)");
}

Result<SpokeCredentialsInput> BuildSpokeInput(const CLI::App& app, const ChainFlags& f,
                                              const Environment& env,
                                              const ProfileSet& profiles) {
  SpokeCredentialsInput in;
  InputFieldNames names;
  auto take = [&](const std::string& flag, const std::string& value, const char* env_name,
                  std::string& field, std::string& name) {
    Source s = Pick(app, flag, value, env, env_name);
    field = s.value;
    name = s.name;
    return s;
  };
  take("--hub-account", f.hub_account, "ASSUME_ROLE_HUB_ACCOUNT", in.hub_account_id,
       names.hub_account_id);
  take("--spoke-account", f.spoke_account, "ASSUME_ROLE_SPOKE_ACCOUNT", in.spoke_account_id,
       names.spoke_account_id);
  take("--hub-role", f.hub_role, "ASSUME_ROLE_HUB_ROLE", in.hub_role_name, names.hub_role_name);
  take("--spoke-role", f.spoke_role, "ASSUME_ROLE_SPOKE_ROLE", in.spoke_role_name,
       names.spoke_role_name);
  take("--external-id", f.external_id, "ASSUME_ROLE_EXTERNAL_ID", in.external_id,
       names.external_id);
  take("--hub-external-id", f.hub_external_id, "ASSUME_ROLE_HUB_EXTERNAL_ID", in.hub_external_id,
       names.hub_external_id);
  take("--spoke-external-id", f.spoke_external_id, "ASSUME_ROLE_SPOKE_EXTERNAL_ID",
       in.spoke_external_id, names.spoke_external_id);
  take("--session-string", f.session_string, "ASSUME_ROLE_SESSION_STRING", in.session_string,
       names.session_string);
  // An explicitly empty flag is a mistake, not "use the default".
  for (const char* flag : {"--hub-account", "--spoke-account", "--hub-role", "--spoke-role",
                           "--external-id", "--hub-external-id", "--spoke-external-id",
                           "--session-string", "--duration", "--region", "--endpoint-url",
                           "--source-identity", "--policy", "--retries", "--profile"}) {
    if (app.count(flag) > 0 && app.get_option(flag)->as<std::string>().empty())
      return Error(ErrorCode::kInvalidArgument, std::string(flag) + ": the value is empty");
  }

  std::string duration_text;
  Source d = take("--duration", f.duration, "ASSUME_ROLE_DURATION", duration_text, names.duration);
  if (d.set) {
    auto seconds = ParseDuration(d.name, d.value);
    if (!seconds) return std::move(seconds).error();
    if (auto s = ValidateDuration(d.name, *seconds, /*chained=*/true, d.value); !s)
      return std::move(s).error();
    in.duration = *seconds;
  }
  if (app.count("--retries") > 0) {
    names.retries = "--retries";
    const std::string& r = f.retries;
    if (r.empty() || r.size() > 3 || r.find_first_not_of("0123456789") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument,
                   "--retries: invalid value '" + Printable(r, 20) + "': retries are 0–20");
    in.retries = std::stoi(r);
  }
  in.region = f.region;
  names.region = "--region";
  in.endpoint_url = f.endpoint_url;
  names.endpoint_url = "--endpoint-url";
  in.source_identity = f.source_identity;
  names.source_identity = "--source-identity";
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
    auto file = sys::ReadRegularFile(f.policy_file, {.max_bytes = 1 << 20});
    if (!file.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   sys::ReadFileError("--policy", f.policy_file, file));
    }
    in.policy = std::move(file.bytes);
    if (in.policy.empty())
      return Error(ErrorCode::kInvalidArgument, "--policy: the file '" +
                                                    Printable(f.policy_file, 200) + "' is empty");
  }
  // Region and endpoint: the library's rule (flags, environment, then the profile).
  in.profile = f.profile;
  names.profile = "--profile";
  auto endpoint = ResolveSpokeEndpoint(in, env, profiles, names);
  if (!endpoint) return std::move(endpoint).error();
  if (auto s = ValidateSpokeInput(in, names, std::string(PartitionForRegion(endpoint->region).id));
      !s)
    return std::move(s).error();
  return in;
}

Result<ProfileSet> LoadCliProfiles(const Environment& env) {
  auto profiles = LoadProfiles(env);
  if (!profiles) return std::move(profiles).error().WithCode(ErrorCode::kInvalidArgument);
  return profiles;
}

std::unique_ptr<CredentialsProvider> MakeBaseProvider(const SystemContext& sys,
                                                      const ProfileSet& profiles,
                                                      const std::string& profile_flag) {
  return MakeDefaultCredentialsChain(sys, profiles, DefaultChainOptions{.profile = profile_flag});
}

Result<std::unique_ptr<HubSessionCache>> MakeCliHubCache(const ChainFlags& flags,
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
  if (!wanted) return std::unique_ptr<HubSessionCache>();
  auto directory = DefaultHubSessionCacheDirectory(sys.env);
  if (!directory) return std::move(directory).error().WithCode(ErrorCode::kInvalidArgument);
  return std::make_unique<HubSessionCache>(std::move(*directory), sys.clock, sys.log);
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
    case ErrorCode::kTimeout: return "--endpoint-url, --region";
    default: return "";
  }
}

}  // namespace

int ReportChainError(const Error& error) {
  const std::string flags = FlagsFor(error);
  if (flags.empty() || error.hint().empty()) return ReportError(error);
  return ReportError(Error(error).WithHint(error.hint() + " (" + flags + ")"));
}

std::string ChainHelpFooter() {
  return R"HELP(
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

Hub session cache (--cache, opt-in): the hub session is saved (mode 0600, directory 0700) in
$XDG_RUNTIME_DIR/assume-spoke-role, else ~/.cache/assume-spoke-role, keyed by the base access
key id and the hub hop, and reused by later runs until 5 minutes before it expires: a cached run
makes one STS call instead of two. Files that are not ours, are open to others or are corrupt
are ignored with a warning. `assume-spoke-role cache clear` removes the saved sessions.

Environment:
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
