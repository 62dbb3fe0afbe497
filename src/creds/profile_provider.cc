// A named profile of the shared config files, resolved as the AWS CLI / botocore resolve it:
// role_arn (with source_profile chains of any depth or credential_source, plus external_id,
// role_session_name, duration_seconds, mfa_serial), web_identity_token_file, SSO, static keys,
// credential_process — in that order of precedence within one profile.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>

#include "core/strings.h"
#include "creds/profile_chain_marker.h"
#include "core/time.h"
#include "core/validate.h"
#include "hubspoke/arn.h"
#include "hubspoke/config.h"
#include "hubspoke/providers.h"

namespace hubspoke {
namespace {

// What resolving one profile produced: the credentials and how they were obtained.
struct Resolved {
  Credentials credentials;
  std::string how;  // "static keys", "role arn:… ← profile base (static keys)", …
};

Error Misconfigured(const std::string& message) {
  return Error(ErrorCode::kMisconfigured, message);
}

std::string JoinPath(const std::vector<std::string>& path, const std::string& last) {
  std::string out;
  for (const auto& p : path) out += p + " → ";
  return out + last;
}

class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(const SystemContext& sys, const ProfileSet& profiles,
                  ProfileProviderOptions options)
      : sys_(sys),
        profiles_(profiles),
        options_(std::move(options)),
        inherited_(InheritedProfileChain(sys.env)) {
    if (!options_.mfa_reader) options_.mfa_reader = TerminalMfaCodeReader();
  }

  Result<Credentials> GetCredentials() override {
    std::vector<std::string> path;
    auto r = Resolve(options_.profile_name, path);
    if (!r) return std::move(r).error();
    std::lock_guard<std::mutex> lock(mu_);
    how_ = r->how;
    return std::move(r->credentials);
  }

  std::string Describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string d = "profile " + options_.profile_name;
    if (!how_.empty()) d += " (" + how_ + ")";
    return d;
  }

 private:
  std::string Files() const {
    auto name = [](const std::string& p, const char* fallback) {
      return p.empty() ? std::string(fallback) : p;
    };
    return name(profiles_.config_path, "~/.aws/config") + " or " +
           name(profiles_.credentials_path, "~/.aws/credentials");
  }

  // `path` holds the profiles that led here through source_profile (for loops and messages).
  Result<Resolved> Resolve(const std::string& name, std::vector<std::string>& path) {
    const ProfileSection* p = profiles_.FindProfile(name);
    const bool top = path.empty();
    if (p == nullptr) {
      if (top && !options_.explicit_profile) {
        return Error(ErrorCode::kNotConfigured, "no profile " + name + " in " + Files())
            .WithSource("profile");
      }
      return Misconfigured("profile " + name + " does not exist in " + Files());
    }
    if (std::find(path.begin(), path.end(), name) != path.end()) {
      return Misconfigured("source_profile loop: " + JoinPath(path, name))
          .WithReason(ErrorReason::kProfileLoop);
    }
    // Security: a credential_process helper that resolves a profile already being resolved by
    // the processes that started it would start itself again without end.
    const bool loop = std::find(inherited_.begin(), inherited_.end(), name) != inherited_.end();
    if (loop || inherited_.size() >= kMaxCredentialProcessNesting) {
      std::vector<std::string> chain = inherited_;
      chain.insert(chain.end(), path.begin(), path.end());
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
    path.push_back(name);
    auto r = ResolveSection(name, *p, path);
    path.pop_back();
    return r;
  }

  Result<Resolved> ResolveSection(const std::string& name, const ProfileSection& p,
                                  std::vector<std::string>& path) {
    auto get = [&](std::string_view key) {
      auto v = p.Get(key);
      return v ? Trim(*v) : std::string();
    };
    const std::string where = "profile " + name;
    if (!get("role_arn").empty()) return AssumeRoleProfile(name, p, path);
    if (!get("web_identity_token_file").empty()) {
      return Misconfigured(where + ": web_identity_token_file needs role_arn");
    }
    if (!get("sso_session").empty() || !get("sso_start_url").empty() ||
        !get("sso_account_id").empty() || !get("sso_role_name").empty()) {
      return SsoProfile(name, p);
    }
    const std::string key = get("aws_access_key_id");
    const std::string secret = get("aws_secret_access_key");
    if (!key.empty() || !secret.empty()) return StaticKeys(name, key, secret, get("aws_session_token"));
    if (!get("credential_process").empty()) {
      auto process = MakeProcessCredentialsProvider(
          sys_, ProcessProviderOptions{.command = get("credential_process"),
                                       .profile_name = name,
                                       .profile_chain = path});
      auto c = process->GetCredentials();
      if (!c) return std::move(c).error();
      return Resolved{std::move(*c), "credential_process"};
    }
    if (path.size() == 1) {
      return Error(ErrorCode::kNotConfigured,
                   where + " has no credentials (no aws_access_key_id, role_arn, sso_session, "
                           "credential_process or web_identity_token_file)")
          .WithSource("profile");
    }
    return Misconfigured(where + " has no credentials (no aws_access_key_id, role_arn, "
                                 "sso_session, credential_process or web_identity_token_file)");
  }

  Result<Resolved> StaticKeys(const std::string& name, const std::string& key,
                              const std::string& secret, const std::string& token) {
    if (key.empty()) {
      return Misconfigured("profile " + name + ": aws_secret_access_key is set but "
                           "aws_access_key_id is not");
    }
    if (secret.empty()) {
      return Misconfigured("profile " + name + ": aws_access_key_id (" + MaskAccessKeyId(key) +
                           ") is set but aws_secret_access_key is not");
    }
    Credentials c;
    c.access_key_id = key;
    c.secret_access_key = SecretString(secret);
    c.session_token = SecretString(token);
    return Resolved{std::move(c), "static keys"};
  }

  Result<Resolved> SsoProfile(const std::string& name, const ProfileSection& p) {
    auto get = [&](const ProfileSection& s, std::string_view key) {
      auto v = s.Get(key);
      return v ? Trim(*v) : std::string();
    };
    SsoProviderOptions o;
    o.profile_name = name;
    o.account_id = get(p, "sso_account_id");
    o.role_name = get(p, "sso_role_name");
    o.sso_session_name = get(p, "sso_session");
    std::string session_where;
    if (!o.sso_session_name.empty()) {
      const ProfileSection* session = profiles_.FindSsoSession(o.sso_session_name);
      if (session == nullptr) {
        return Misconfigured("profile " + name + ": sso_session " + o.sso_session_name +
                             " has no [sso-session " + o.sso_session_name + "] section in " +
                             (profiles_.config_path.empty() ? "~/.aws/config"
                                                            : profiles_.config_path));
      }
      o.start_url = get(*session, "sso_start_url");
      o.sso_region = get(*session, "sso_region");
      session_where = " (sso-session " + o.sso_session_name + ")";
      // A profile repeating the session's values must agree with them (as botocore checks).
      for (const char* key : {"sso_start_url", "sso_region"}) {
        std::string own = get(p, key);
        if (!own.empty() && own != get(*session, key)) {
          return Misconfigured("profile " + name + ": " + key + " differs from the one in "
                               "[sso-session " + o.sso_session_name + "]");
        }
      }
    } else {
      o.start_url = get(p, "sso_start_url");
      o.sso_region = get(p, "sso_region");
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
    SharedConfig config{&profiles_, &p, name};
    if (auto e = ConfiguredEndpointUrl(sys_.env, config, "SSO", "sso")) o.portal_endpoint = e->value;
    auto sso = MakeSsoCredentialsProvider(sys_, std::move(o));
    auto c = sso->GetCredentials();
    if (!c) return std::move(c).error();
    return Resolved{std::move(*c), "IAM Identity Center" + session_where};
  }

  Result<StsClientOptions> StsOptionsFor(const std::string& name, const ProfileSection& p) {
    StsClientOptions o = options_.sts;
    if (o.endpoint.empty()) {
      SharedConfig config{&profiles_, &p, name};
      auto endpoint = ResolveStsEndpoint(sys_.env, config, "", "");
      if (!endpoint) return std::move(endpoint).error();
      o.endpoint = endpoint->url;
      o.signing_region = endpoint->signing_region;
    }
    return o;
  }

  Result<Resolved> AssumeRoleProfile(const std::string& name, const ProfileSection& p,
                                     std::vector<std::string>& path) {
    auto get = [&](std::string_view key) {
      auto v = p.Get(key);
      return v ? Trim(*v) : std::string();
    };
    const std::string where = "profile " + name;
    const std::string role_arn = get("role_arn");
    if (role_arn.rfind("arn:", 0) != 0) {
      return Misconfigured(where + ": role_arn '" + Printable(role_arn, 120) +
                           "' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
    // Checked in its own partition (arn:PARTITION:…): a profile may point anywhere.
    const std::string partition = role_arn.substr(4, role_arn.find(':', 4) - 4);
    if (auto role = ResolveRole(where + ": role_arn", role_arn, "", "", partition); !role) {
      return std::move(role).error().WithCode(ErrorCode::kMisconfigured);
    }
    auto sts_options = StsOptionsFor(name, p);
    if (!sts_options) return std::move(sts_options).error().Wrap(where);

    const std::string source_profile = get("source_profile");
    const std::string credential_source = get("credential_source");
    const std::string token_file = get("web_identity_token_file");
    std::optional<std::chrono::seconds> duration;
    if (std::string d = get("duration_seconds"); !d.empty()) {
      bool digits = d.size() <= 6 && d.find_first_not_of("0123456789") == std::string::npos;
      long n = digits ? std::stol(d) : 0;
      if (!digits || n < 900 || n > 43200) {
        return Misconfigured(where + ": duration_seconds '" + Printable(d, 20) +
                             "' must be a number of seconds from 900 to 43200");
      }
      duration = std::chrono::seconds(n);
    }
    std::string session_name = get("role_session_name");
    if (session_name.empty()) {
      session_name = "assume-spoke-role-" +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                        sys_.clock.Now().time_since_epoch())
                                        .count());
    } else if (auto s = ValidateSessionName(where + ": role_session_name", session_name); !s) {
      return std::move(s).error().WithCode(ErrorCode::kMisconfigured);
    }

    if (!token_file.empty() && source_profile.empty() && credential_source.empty()) {
      auto web = MakeWebIdentityCredentialsProvider(
          sys_, WebIdentityProviderOptions{.role_arn = role_arn,
                                           .token_file = token_file,
                                           .session_name = get("role_session_name"),
                                           .source = where,
                                           .duration = duration,
                                           .sts = *sts_options});
      auto c = web->GetCredentials();
      if (!c) return std::move(c).error();
      return Resolved{std::move(*c), "web identity " + role_arn};
    }
    if (!source_profile.empty() && !credential_source.empty()) {
      return Misconfigured(where + " sets both source_profile and credential_source: keep one");
    }
    if (source_profile.empty() && credential_source.empty()) {
      return Misconfigured(where + ": role_arn needs source_profile or credential_source");
    }

    Result<Resolved> source = Error(ErrorCode::kInternal, "unset");
    if (!source_profile.empty()) {
      if (source_profile == name) {
        // A profile may name itself: its own static keys are the source (botocore allows it).
        source = StaticKeys(name, get("aws_access_key_id"), get("aws_secret_access_key"),
                            get("aws_session_token"));
        if (!source) return std::move(source).error();
        source->how = "its own static keys";
      } else {
        source = Resolve(source_profile, path);
        if (!source) {
          Error e = std::move(source).error();
          // A loop's message already shows the whole path.
          if (e.reason() == ErrorReason::kProfileLoop) return e;
          if (e.code() == ErrorCode::kNotConfigured) e = std::move(e).WithCode(ErrorCode::kMisconfigured);
          return e.Wrap(where + ": source_profile " + source_profile);
        }
        source->how = "profile " + source_profile + ": " + source->how;
      }
    } else {
      auto c = FromCredentialSource(where, credential_source);
      if (!c) return std::move(c).error();
      source = std::move(*c);
    }

    AssumeRoleRequest req;
    req.role_arn = role_arn;
    req.role_session_name = session_name;
    req.duration = duration;
    req.external_id = get("external_id");
    if (!req.external_id.empty()) {
      if (auto s = ValidateExternalId(where + ": external_id", req.external_id); !s) {
        return std::move(s).error().WithCode(ErrorCode::kMisconfigured);
      }
    }
    if (std::string serial = get("mfa_serial"); !serial.empty()) {
      auto code = options_.mfa_reader(serial);
      if (!code) return std::move(code).error().Wrap(where + ": mfa_serial " + serial);
      req.serial_number = serial;
      req.token_code = *code;
    }
    StsClient sts(sys_, *sts_options);
    auto assumed = sts.AssumeRole(source->credentials, req);
    if (!assumed) {
      Error e = std::move(assumed).error().Wrap(where + ": AssumeRole " + role_arn);
      if (e.aws() && e.aws()->code == "AccessDenied" && e.hint().empty()) {
        e = std::move(e).WithHint("the role's trust policy must allow the source identity (" +
                                  source->how + ")" +
                                  (req.external_id.empty() ? "" : " with this external_id") +
                                  (req.serial_number.empty() ? "" : " and MFA"));
      }
      return e;
    }
    if (sys_.log.Enabled(LogLevel::kDebug)) {
      sys_.log.Log(LogLevel::kDebug, where + ": assumed " + assumed->assumed_role_arn + " (" +
                                         MaskAccessKeyId(assumed->credentials.access_key_id) +
                                         ") from " + source->how);
    }
    return Resolved{std::move(assumed->credentials), "role " + role_arn + " ← " + source->how};
  }

  Result<Resolved> FromCredentialSource(const std::string& where, const std::string& kind) {
    std::unique_ptr<CredentialsProvider> provider;
    if (kind == "Environment") {
      provider = MakeEnvironmentCredentialsProvider(sys_.env);
    } else if (kind == "Ec2InstanceMetadata") {
      provider = MakeImdsCredentialsProvider(sys_);
    } else if (kind == "EcsContainer") {
      provider = MakeContainerCredentialsProvider(sys_);
    } else {
      return Misconfigured(where + ": credential_source '" + Printable(kind, 40) +
                           "' must be Environment, Ec2InstanceMetadata or EcsContainer");
    }
    auto c = provider->GetCredentials();
    if (!c) {
      Error e = std::move(c).error();
      if (e.code() == ErrorCode::kNotConfigured) e = std::move(e).WithCode(ErrorCode::kMisconfigured);
      return e.Wrap(where + ": credential_source " + kind);
    }
    return Resolved{std::move(*c), "credential_source " + kind};
  }

  const SystemContext& sys_;
  const ProfileSet& profiles_;
  ProfileProviderOptions options_;
  // The profiles the processes that started us are resolving (ASSUME_SPOKE_ROLE_PROFILE_CHAIN).
  const std::vector<std::string> inherited_;
  mutable std::mutex mu_;
  std::string how_;
};

}  // namespace

MfaCodeReader TerminalMfaCodeReader() {
  return [](const std::string& serial) -> Result<std::string> {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      return Error(ErrorCode::kMisconfigured,
                   "an MFA code is needed but there is no terminal to ask for it on");
    }
    const std::string prompt = "Enter MFA code for " + serial + ": ";
    (void)!::write(fd, prompt.data(), prompt.size());
    std::string line;
    char c = 0;
    while (line.size() < 64) {
      ssize_t n = ::read(fd, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || c == '\n') break;
      line += c;
    }
    ::close(fd);
    line = Trim(line);
    if (line.size() != 6 || line.find_first_not_of("0123456789") != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument, "the MFA code must be 6 digits");
    }
    return line;
  };
}

std::unique_ptr<CredentialsProvider> MakeProfileCredentialsProvider(
    const SystemContext& sys, const ProfileSet& profiles, ProfileProviderOptions options) {
  return std::make_unique<ProfileProvider>(sys, profiles, std::move(options));
}

}  // namespace hubspoke
