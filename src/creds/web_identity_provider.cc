// Web identity (OIDC) credentials: AssumeRoleWithWebIdentity with a token from a file, as the
// SDKs do for EKS service accounts (IRSA), GitHub Actions and other CI systems. The file is read
// on every call because its writer rotates it (EKS: hourly).
#include <string.h>

#include "core/strings.h"
#include "core/time.h"
#include "core/validate.h"
#include "hubspoke/arn.h"
#include "hubspoke/credential_sources.h"

namespace hubspoke {
namespace {

// STS accepts tokens of up to 20000 characters (WebIdentityToken's model length).
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

// One attempt's settings, and what to call each of them in messages.
struct WebIdentitySettings {
  std::string role_arn;
  std::string token_file;
  std::string session_name;  // empty: generated
  std::optional<std::chrono::seconds> duration;
  std::string source;        // "AWS_WEB_IDENTITY_TOKEN_FILE", "profile ci"
  std::string file_what;     // the same, "profile ci: web_identity_token_file"
  std::string role_what;     // "AWS_ROLE_ARN", "profile ci: role_arn"
  std::string session_what;  // "AWS_ROLE_SESSION_NAME", "profile ci: role_session_name"
};

// Security: the token is a bearer credential; it goes into a SecretString and the bytes read
// are wiped. Errors name the file, never its content.
Result<SecretString> ReadToken(const FileSystem& files, const std::string& path,
                               const std::string& what) {
  auto file = files.Read(path, {.max_bytes = kMaxTokenBytes});
  if (!file.ok()) return Error(ErrorCode::kMisconfigured, ReadFileError(what, path, file));
  std::string token = Trim(file.bytes);
  explicit_bzero(file.bytes.data(), file.bytes.size());
  if (token.empty()) {
    return Error(ErrorCode::kMisconfigured, what + ": '" + Printable(path, 300) + "' is empty");
  }
  return SecretString(std::move(token));
}

// The role ARN must be a full IAM role ARN (no account to complete a bare name from).
Status ValidateWebIdentityRole(const std::string& what, const std::string& role_arn) {
  auto parts = Split(role_arn, ':');
  if (role_arn.rfind("arn:", 0) != 0 || parts.size() < 2) {
    return Error(ErrorCode::kInvalidArgument, what + ": invalid value '" +
                                                  Printable(role_arn, 120) +
                                                  "': web identity needs a full role ARN, e.g. "
                                                  "arn:aws:iam::123456789012:role/NAME");
  }
  auto resolved = ResolveRole(what, role_arn, "", "", parts[1]);
  if (!resolved) return std::move(resolved).error();
  return Ok();
}

std::string HintFor(const Error& e, const WebIdentitySettings& s) {
  if (!e.aws()) return "";
  const std::string& code = e.aws()->code;
  if (code == "InvalidIdentityToken") {
    return "STS refused the token in " + s.token_file +
           ": the role's account needs an IAM OIDC identity provider for the token's issuer, "
           "with the token's audience among its client ids";
  }
  if (code == "ExpiredTokenException") {
    return "the token in " + s.token_file +
           " has expired: whatever writes it (the EKS pod identity webhook, the CI runner) "
           "should have rotated it";
  }
  if (code == "IDPRejectedClaim") return "the identity provider rejected a claim of the token";
  if (code == "IDPCommunicationError") {
    return "STS could not reach the token's issuer to check it; try again";
  }
  if (code == "AccessDenied") {
    return "the trust policy of " + s.role_arn +
           " must allow sts:AssumeRoleWithWebIdentity for this token's issuer, sub and aud";
  }
  return "";
}

Result<Credentials> AssumeWithWebIdentity(const SystemContext& sys, StsClient& sts,
                                          const WebIdentitySettings& s) {
  if (auto v = ValidateWebIdentityRole(s.role_what, s.role_arn); !v) return std::move(v).error();
  std::string session = s.session_name;
  if (session.empty()) {
    // The SDKs' default is "<sdk>-session-<timestamp>" (botocore: botocore-session-<seconds>).
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(sys.clock.Now().time_since_epoch());
    session = "assume-spoke-role-" + std::to_string(ms.count());
  } else if (auto v = ValidateSessionName(s.session_what, session); !v) {
    return std::move(v).error();
  }
  auto token = ReadToken(sys.files, s.token_file, s.file_what);
  if (!token) return std::move(token).error();
  const std::string context = "web identity (" + s.source + ") " + s.role_arn;
  sys.log.Log(LogLevel::kDebug, context + ": AssumeRoleWithWebIdentity as " + session +
                                    " with the token in " + s.token_file);
  auto r = sts.AssumeRoleWithWebIdentity(
      AssumeRoleWithWebIdentityRequest{.role_arn = s.role_arn,
                                       .role_session_name = session,
                                       .web_identity_token = std::move(token).value(),
                                       .duration = s.duration});
  if (!r) {
    Error e = r.error().Wrap(context);
    std::string hint = HintFor(e, s);
    if (!hint.empty()) return std::move(e).WithHint(std::move(hint));
    return e;
  }
  if (sys.log.Enabled(LogLevel::kDebug)) {
    sys.log.Log(LogLevel::kDebug,
                context + ": got " + r->assumed_role_arn + " (" +
                    MaskAccessKeyId(r->credentials.access_key_id) + ", expires " +
                    (r->credentials.expiration ? FormatRfc3339(*r->credentials.expiration)
                                               : std::string("never")) +
                    ", sub " + Printable(r->subject_from_web_identity_token, 200) + ")");
  }
  return std::move(r->credentials);
}

class WebIdentityProvider final : public CredentialsProvider {
 public:
  WebIdentityProvider(const SystemContext& sys, WebIdentityProviderOptions options)
      : sys_(sys), options_(std::move(options)), sts_(sys_, options_.sts) {
    if (options_.source.empty()) options_.source = "web identity";
  }

  Result<Credentials> GetCredentials() override {
    std::string role = Trim(options_.role_arn);
    std::string file = Trim(options_.token_file);
    const std::string& source = options_.source;
    if (role.empty() && file.empty()) {
      return Error(ErrorCode::kNotConfigured, source + ": no web identity role ARN or token file");
    }
    if (role.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   source + ": a web identity token file (" + file + ") is set but no role ARN");
    }
    if (file.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   source + ": a role ARN is set for web identity but no token file");
    }
    return AssumeWithWebIdentity(
        sys_, sts_,
        WebIdentitySettings{.role_arn = role,
                            .token_file = file,
                            .session_name = Trim(options_.session_name),
                            .duration = options_.duration,
                            .source = source,
                            .file_what = source + ": web_identity_token_file",
                            .role_what = source + ": role_arn",
                            .session_what = source + ": role_session_name"});
  }

  std::string Describe() const override { return "web identity (" + options_.source + ")"; }

 private:
  const SystemContext sys_;  // a copy of the references: sts_ keeps a reference to it
  WebIdentityProviderOptions options_;
  StsClient sts_;
};

class EnvironmentWebIdentityProvider final : public CredentialsProvider {
 public:
  EnvironmentWebIdentityProvider(const SystemContext& sys, StsClientOptions sts)
      : sys_(sys), sts_(sys_, std::move(sts)) {}

  Result<Credentials> GetCredentials() override {
    auto get = [&](std::string_view name) {
      auto v = sys_.env.Get(name);
      return v ? Trim(*v) : std::string();
    };
    std::string file = get("AWS_WEB_IDENTITY_TOKEN_FILE");
    std::string role = get("AWS_ROLE_ARN");
    if (file.empty() && role.empty()) {
      return Error(ErrorCode::kNotConfigured,
                   "no web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set")
          .WithSource("web identity");
    }
    if (role.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    if (file.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    }
    return AssumeWithWebIdentity(sys_, sts_,
                                 WebIdentitySettings{.role_arn = role,
                                                     .token_file = file,
                                                     .session_name = get("AWS_ROLE_SESSION_NAME"),
                                                     .source = "AWS_WEB_IDENTITY_TOKEN_FILE",
                                                     .file_what = "AWS_WEB_IDENTITY_TOKEN_FILE",
                                                     .role_what = "AWS_ROLE_ARN",
                                                     .session_what = "AWS_ROLE_SESSION_NAME"});
  }

  std::string Describe() const override { return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"; }

 private:
  const SystemContext sys_;
  StsClient sts_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeWebIdentityCredentialsProvider(
    const SystemContext& sys, WebIdentityProviderOptions options) {
  return std::make_unique<WebIdentityProvider>(sys, std::move(options));
}

std::unique_ptr<CredentialsProvider> MakeEnvironmentWebIdentityCredentialsProvider(
    const SystemContext& sys, StsClientOptions sts) {
  return std::make_unique<EnvironmentWebIdentityProvider>(sys, std::move(sts));
}

}  // namespace hubspoke
