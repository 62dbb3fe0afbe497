#include "lab/sigv4_verify.h"

#include <algorithm>

#include "core/strings.h"
#include "core/time.h"
#include "crypto/sha256.h"
#include "hubspoke/sigv4.h"

namespace hubspoke::lab {
namespace {

constexpr char kSignatureMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr char kInvalidToken[] = "The security token included in the request is invalid.";

bool WellFormedRegion(std::string_view r) {
  if (r.empty() || r.size() > 32) return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

std::string MaskKeyId(std::string_view id) {
  if (id.size() <= 8) return Printable(id, 16);
  return Printable(id.substr(0, 4), 4) + "…" + Printable(id.substr(id.size() - 4), 4);
}

Error StsError(int status, std::string code, std::string wire_message, std::string log_detail) {
  ErrorCode ec = ErrorCode::kRemote;
  if (status == 403 || code == "ExpiredToken") ec = ErrorCode::kAccessDenied;
  if (code == "ValidationError" || code == "MalformedPolicyDocument") {
    ec = ErrorCode::kInvalidArgument;
  }
  std::string detail = log_detail.empty() ? code + ": " + wire_message : log_detail;
  return Error(ec, std::move(detail))
      .WithAws(AwsErrorDetails{.code = std::move(code),
                               .message = std::move(wire_message),
                               .request_id = "",
                               .http_status = status});
}

Error InvalidClientToken(std::string log_detail) {
  return StsError(403, "InvalidClientTokenId", kInvalidToken, std::move(log_detail));
}

Result<VerifiedSignature> VerifySigV4(const ServerRequest& request, TimePoint now,
                                      const KeyLookup& lookup, const VerifyOptions& options) {
  const std::string* authorization = FindHeader(request.headers, "Authorization");
  if (!authorization) {
    // Presigned (query) requests are not supported by the lab: see docs/lab.md.
    return StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token",
                    "no Authorization header (the lab accepts header-signed SigV4 only)");
  }
  auto auth = sigv4::ParseAuthorization(*authorization);
  if (!auth) {
    return StsError(400, "IncompleteSignature", auth.error().message(),
                    "malformed Authorization header: " + auth.error().message());
  }
  const std::string* amz_date = FindHeader(request.headers, "X-Amz-Date");
  if (!amz_date) {
    return StsError(400, "IncompleteSignature",
                    "Authorization header requires existence of either a 'X-Amz-Date' or a "
                    "'Date' header.",
                    "no X-Amz-Date header");
  }
  auto time = ParseTimestamp(*amz_date);
  if (!time || amz_date->size() != 16) {
    return StsError(400, "IncompleteSignature",
                    "Date must be in ISO-8601 'basic format'. Got '" + Printable(*amz_date, 40) +
                        "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (auth->day != amz_date->substr(0, 8)) {
    return StsError(403, "SignatureDoesNotMatch",
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '" + auth->day + "' != '" + amz_date->substr(0, 8) +
                        "', from '" + *amz_date + "'.");
  }
  if (auth->service != options.service) {
    return StsError(403, "SignatureDoesNotMatch",
                    "Credential should be scoped to correct service: '" + options.service + "'. ",
                    "credential scope names service '" + Printable(auth->service, 40) +
                        "', not '" + options.service + "'");
  }
  if (!WellFormedRegion(auth->region) ||
      (!options.region.empty() && auth->region != options.region)) {
    return StsError(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region. ",
                    "credential scope names region '" + Printable(auth->region, 40) + "'" +
                        (options.region.empty() ? "" : ", the lab serves " + options.region));
  }
  auto masked = [&auth] { return MaskKeyId(auth->access_key_id); };  // for refusals only
  Result<KeyInfo> key =
      lookup(auth->access_key_id, FindHeader(request.headers, "X-Amz-Security-Token"));
  if (!key) return std::move(key).error();
  if (key->expiration && *key->expiration <= now) {
    return StsError(400, "ExpiredToken", "The security token included in the request is expired",
                    "session " + masked() + " expired at " + FormatRfc3339(*key->expiration) +
                        " (lab time " + FormatRfc3339(now) + ")");
  }

  sigv4::SignableRequest signable{.method = request.method,
                                  .path = request.path,
                                  .query = request.query,
                                  .headers = request.headers,
                                  .body = request.body};
  Credentials credentials;
  credentials.access_key_id = auth->access_key_id;
  credentials.secret_access_key = SecretString(key->secret);
  auto computed = sigv4::ComputeSignature(signable, credentials,
                                          sigv4::SigningParams{.region = auth->region,
                                                               .service = auth->service,
                                                               .time = *time,
                                                               .signed_headers =
                                                                   auth->signed_headers});
  if (!computed) {
    return StsError(403, "SignatureDoesNotMatch", kSignatureMismatch,
                    "cannot recompute the signature: " + computed.error().message());
  }
  if (!crypto::ConstantTimeEquals(computed->signature, auth->signature)) {
    // The string to sign holds only a hash of the canonical request: safe to log, and what a
    // client author compares with their own.
    std::string sts = computed->string_to_sign;
    for (char& c : sts) {
      if (c == '\n') c = '|';
    }
    return StsError(403, "SignatureDoesNotMatch", kSignatureMismatch,
                    "signature mismatch for " + masked() + " (signed headers " +
                        computed->signed_headers + "; our string to sign: " + sts +
                        "): wrong secret, or the request was altered after signing");
  }
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(now - *time);
  if (skew > options.max_skew) {
    return StsError(400, "RequestExpired",
                    "Signature expired: " + *amz_date + " is now earlier than " +
                        FormatAmzDate(now - options.max_skew) + " (" + FormatAmzDate(now) +
                        " - 15 min.)",
                    "request signed at " + *amz_date + ", " + std::to_string(skew.count()) +
                        " s before the lab's clock (limit 15 min)");
  }
  if (-skew > options.max_skew) {
    return StsError(400, "RequestExpired",
                    "Signature not yet current: " + *amz_date + " is still later than " +
                        FormatAmzDate(now + options.max_skew) + " (" + FormatAmzDate(now) +
                        " + 15 min.)",
                    "request signed at " + *amz_date + ", " + std::to_string(-skew.count()) +
                        " s after the lab's clock (limit 15 min)");
  }
  return VerifiedSignature{.access_key_id = auth->access_key_id, .region = auth->region};
}

}  // namespace hubspoke::lab
