// ResolveProfileChain: a named profile of the shared config files as a ChainPlan, resolved as
// the AWS CLI / botocore resolve it. Pure: it reads only the ProfileSet.
#include <algorithm>
#include <chrono>

#include "core/strings.h"
#include "core/validate.h"
#include "creds/profile_chain_marker.h"
#include "hubspoke/arn.h"
#include "hubspoke/chain_plan.h"

namespace hubspoke {
namespace {

Error Misconfigured(const std::string& message) {
  return Error(ErrorCode::kMisconfigured, message);
}

std::string JoinPath(const std::vector<std::string>& path, const std::string& last) {
  std::string out;
  for (const auto& p : path) out += p + " → ";
  return out + last;
}

std::string Get(const ProfileSection& p, std::string_view key) {
  auto v = p.Get(key);
  return v ? Trim(*v) : std::string();
}

class Resolver {
 public:
  Resolver(const ProfileSet& profiles, const ProfileChainOptions& options)
      : profiles_(profiles), options_(options) {}

  // Resolves `name` into plan_ (base and the hops below this profile); `path` holds the
  // profiles that led here through source_profile (for loops and messages).
  Result<void> Resolve(const std::string& name) {
    const ProfileSection* p = profiles_.FindProfile(name);
    const bool top = path_.empty();
    if (p == nullptr) {
      if (top && !options_.explicit_profile) {
        return Error(ErrorCode::kNotConfigured, "no profile " + name + " in " + Files())
            .WithSource("profile");
      }
      return Misconfigured("profile " + name + " does not exist in " + Files());
    }
    if (std::find(path_.begin(), path_.end(), name) != path_.end()) {
      return Misconfigured("source_profile loop: " + JoinPath(path_, name))
          .WithReason(ErrorReason::kProfileLoop);
    }
    // Security: a credential_process helper that resolves a profile already being resolved by
    // the processes that started it would start itself again without end.
    const auto& inherited = options_.inherited_chain;
    const bool loop = std::find(inherited.begin(), inherited.end(), name) != inherited.end();
    if (loop || inherited.size() >= kMaxCredentialProcessNesting) {
      std::vector<std::string> chain = inherited;
      chain.insert(chain.end(), path_.begin(), path_.end());
      chain.push_back(name);
      if (loop) {
        return Misconfigured("credential_process loop: " + DescribeProfileChain(chain))
            .WithHint("a profile's credential_process runs a command that resolves that profile "
                      "again (AWS_PROFILE set to it?): give the command its base identity "
                      "explicitly, e.g. another profile, or keys in the "
                      "environment")
            .WithReason(ErrorReason::kCredentialProcessLoop);
      }
      return Misconfigured("credential_process nesting deeper than " +
                           std::to_string(kMaxCredentialProcessNesting) + ": " +
                           DescribeProfileChain(chain))
          .WithReason(ErrorReason::kCredentialProcessTooDeep);
    }
    path_.push_back(name);
    plan_.profiles.push_back(name);
    auto r = ResolveSection(name, *p);
    path_.pop_back();
    return r;
  }

  ChainPlan Take() && {
    plan_.hops = std::move(hops_);
    return std::move(plan_);
  }

 private:
  std::string Files() const {
    auto named = [](const std::string& p, const char* fallback) {
      return p.empty() ? std::string(fallback) : p;
    };
    return named(profiles_.config_path, "~/.aws/config") + " or " +
           named(profiles_.credentials_path, "~/.aws/credentials");
  }

  Result<void> ResolveSection(const std::string& name, const ProfileSection& p) {
    const std::string where = "profile " + name;
    // A source profile with static keys is used for its keys, its own role_arn ignored, as
    // botocore, the Go SDK and smithy-rs resolve it; the profile asked for assumes its role.
    const bool static_keys = !Get(p, "aws_access_key_id").empty() ||
                             !Get(p, "aws_secret_access_key").empty() ||
                             !Get(p, "aws_session_token").empty();
    if (!Get(p, "role_arn").empty() && (path_.size() == 1 || !static_keys)) {
      return RoleProfile(name, p);
    }
    if (!Get(p, "web_identity_token_file").empty()) {
      return Misconfigured(where + ": web_identity_token_file needs role_arn");
    }
    if (!Get(p, "sso_session").empty() || !Get(p, "sso_start_url").empty() ||
        !Get(p, "sso_account_id").empty() || !Get(p, "sso_role_name").empty()) {
      return SsoBase(name, p);
    }
    const std::string key = Get(p, "aws_access_key_id");
    const std::string secret = Get(p, "aws_secret_access_key");
    if (!key.empty() || !secret.empty()) {
      return StaticKeysBase(name, key, secret, Get(p, "aws_session_token"));
    }
    if (std::string command = Get(p, "credential_process"); !command.empty()) {
      plan_.base.kind = ChainBase::Kind::kCredentialProcess;
      plan_.base.profile = name;
      plan_.base.command = std::move(command);
      return {};
    }
    const std::string message =
        where + " has no credentials (no aws_access_key_id, role_arn, sso_session, "
                "credential_process or web_identity_token_file)";
    if (path_.size() == 1) {
      return Error(ErrorCode::kNotConfigured, message).WithSource("profile");
    }
    return Misconfigured(message);
  }

  Result<void> StaticKeysBase(const std::string& name, const std::string& key,
                              const std::string& secret, const std::string& token) {
    if (key.empty()) {
      return Misconfigured("profile " + name + ": aws_secret_access_key is set but "
                           "aws_access_key_id is not");
    }
    if (secret.empty()) {
      return Misconfigured("profile " + name + ": aws_access_key_id (" + MaskAccessKeyId(key) +
                           ") is set but aws_secret_access_key is not");
    }
    plan_.base.kind = ChainBase::Kind::kStaticKeys;
    plan_.base.profile = name;
    plan_.base.static_credentials.access_key_id = key;
    plan_.base.static_credentials.secret_access_key = SecretString(secret);
    plan_.base.static_credentials.session_token = SecretString(token);
    return {};
  }

  Result<void> SsoBase(const std::string& name, const ProfileSection& p) {
    SsoProviderOptions o;
    o.profile_name = name;
    o.account_id = Get(p, "sso_account_id");
    o.role_name = Get(p, "sso_role_name");
    o.sso_session_name = Get(p, "sso_session");
    std::string session_where;
    if (!o.sso_session_name.empty()) {
      const ProfileSection* session = profiles_.FindSsoSession(o.sso_session_name);
      if (session == nullptr) {
        return Misconfigured("profile " + name + ": sso_session " + o.sso_session_name +
                             " has no [sso-session " + o.sso_session_name + "] section in " +
                             (profiles_.config_path.empty() ? "~/.aws/config"
                                                            : profiles_.config_path));
      }
      o.start_url = Get(*session, "sso_start_url");
      o.sso_region = Get(*session, "sso_region");
      session_where = " (sso-session " + o.sso_session_name + ")";
      // A profile repeating the session's values must agree with them (as botocore checks).
      for (const char* key : {"sso_start_url", "sso_region"}) {
        std::string own = Get(p, key);
        if (!own.empty() && own != Get(*session, key)) {
          return Misconfigured("profile " + name + ": " + key + " differs from the one in "
                               "[sso-session " + o.sso_session_name + "]");
        }
      }
    } else {
      o.start_url = Get(p, "sso_start_url");
      o.sso_region = Get(p, "sso_region");
    }
    std::vector<std::string> missing;
    if (o.start_url.empty()) missing.push_back("sso_start_url");
    if (o.sso_region.empty()) missing.push_back("sso_region");
    if (o.account_id.empty()) missing.push_back("sso_account_id");
    if (o.role_name.empty()) missing.push_back("sso_role_name");
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      return Misconfigured("profile " + name + session_where + ": SSO needs " + list);
    }
    if (auto s = ValidateAccountId("profile " + name + ": sso_account_id", o.account_id); !s) {
      return std::move(s).error().WithCode(ErrorCode::kMisconfigured);
    }
    plan_.base.kind = ChainBase::Kind::kSso;
    plan_.base.profile = name;
    plan_.base.sso = std::move(o);
    return {};
  }

  Result<void> RoleProfile(const std::string& name, const ProfileSection& p) {
    const std::string where = "profile " + name;
    const std::string role_arn = Get(p, "role_arn");
    if (role_arn.rfind("arn:", 0) != 0) {
      return Misconfigured(where + ": role_arn '" + Printable(role_arn, 120) +
                           "' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
    // Checked in its own partition (arn:PARTITION:…): a profile may point anywhere.
    const std::string partition = role_arn.substr(4, role_arn.find(':', 4) - 4);
    if (auto role = ResolveRole(where + ": role_arn", role_arn, "", "", partition); !role) {
      return std::move(role).error().WithCode(ErrorCode::kMisconfigured);
    }
    const std::string source_profile = Get(p, "source_profile");
    const std::string credential_source = Get(p, "credential_source");
    const std::string token_file = Get(p, "web_identity_token_file");
    std::optional<std::chrono::seconds> duration;
    if (std::string d = Get(p, "duration_seconds"); !d.empty()) {
      bool digits = d.size() <= 6 && d.find_first_not_of("0123456789") == std::string::npos;
      long n = digits ? std::stol(d) : 0;
      if (!digits || n < 900 || n > 43200) {
        return Misconfigured(where + ": duration_seconds '" + Printable(d, 20) +
                             "' must be a number of seconds from 900 to 43200");
      }
      duration = std::chrono::seconds(n);
    }
    const std::string session_name = Get(p, "role_session_name");
    if (!session_name.empty()) {
      if (auto s = ValidateSessionName(where + ": role_session_name", session_name); !s) {
        return std::move(s).error().WithCode(ErrorCode::kMisconfigured);
      }
    }

    // web_identity_token_file makes the profile a web identity root, whatever else it sets (as
    // botocore and smithy-rs decide: a token file is never a hop of a source_profile chain).
    if (!token_file.empty()) {
      plan_.base.kind = ChainBase::Kind::kWebIdentity;
      plan_.base.profile = name;
      plan_.base.role_arn = role_arn;
      plan_.base.token_file = token_file;
      plan_.base.session_name = session_name;
      plan_.base.duration = duration;
      return {};
    }
    if (!source_profile.empty() && !credential_source.empty()) {
      return Misconfigured(where + " sets both source_profile and credential_source: keep one");
    }
    if (source_profile.empty() && credential_source.empty()) {
      return Misconfigured(where + ": role_arn needs source_profile or credential_source");
    }

    ChainHop hop;
    hop.profile = name;
    hop.request.role_arn = role_arn;
    hop.request.role_session_name = session_name;
    hop.request.duration = duration;
    hop.request.external_id = Get(p, "external_id");
    if (!hop.request.external_id.empty()) {
      if (auto s = ValidateExternalId(where + ": external_id", hop.request.external_id); !s) {
        return std::move(s).error().WithCode(ErrorCode::kMisconfigured);
      }
    }
    hop.request.serial_number = Get(p, "mfa_serial");

    if (!source_profile.empty()) {
      if (source_profile == name) {
        // A profile may name itself: its own static keys are the source (botocore allows it).
        if (Get(p, "aws_access_key_id").empty() && Get(p, "aws_secret_access_key").empty()) {
          return Misconfigured(where + ": source_profile names the profile itself, which has no "
                                       "aws_access_key_id and aws_secret_access_key to start from");
        }
        auto keys = StaticKeysBase(name, Get(p, "aws_access_key_id"),
                                   Get(p, "aws_secret_access_key"), Get(p, "aws_session_token"));
        if (!keys) return keys;
        plan_.base.own_static_keys = true;
      } else {
        hop.source_context = where + ": source_profile " + source_profile;
        hop.source_label = "profile " + source_profile + ": ";
        auto source = Resolve(source_profile);
        if (!source) {
          Error e = std::move(source).error();
          // A loop's message already shows the whole path.
          if (e.reason() == ErrorReason::kProfileLoop) return e;
          if (e.code() == ErrorCode::kNotConfigured) {
            e = std::move(e).WithCode(ErrorCode::kMisconfigured);
          }
          return e.Wrap(hop.source_context);
        }
      }
    } else {
      if (credential_source != "Environment" && credential_source != "Ec2InstanceMetadata" &&
          credential_source != "EcsContainer") {
        return Misconfigured(where + ": credential_source '" + Printable(credential_source, 40) +
                             "' must be Environment, Ec2InstanceMetadata or EcsContainer");
      }
      hop.source_context = where + ": credential_source " + credential_source;
      plan_.base.kind = ChainBase::Kind::kCredentialSource;
      plan_.base.profile = name;
      plan_.base.credential_source = credential_source;
    }
    hops_.push_back(std::move(hop));  // after its source's hops: the order they are taken
    return {};
  }

  const ProfileSet& profiles_;
  const ProfileChainOptions& options_;
  std::vector<std::string> path_;
  ChainPlan plan_;
  std::vector<ChainHop> hops_;
};

}  // namespace

Result<ChainPlan> ResolveProfileChain(const ProfileSet& profiles, const std::string& name,
                                      const ProfileChainOptions& options) {
  Resolver resolver(profiles, options);
  if (auto r = resolver.Resolve(name); !r) return std::move(r).error();
  return std::move(resolver).Take();
}

}  // namespace hubspoke
