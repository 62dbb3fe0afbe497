// AWS Signature Version 4, written by hand because no well-kept C++ library does it without
// pulling in a whole SDK. Follows the AWS reference ("Create a signed AWS API request") and
// botocore's choices where the reference is silent; verified against the aws-c-auth suite.
#include "hubspoke/sigv4.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hex.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "crypto/sha256.h"

namespace hubspoke::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
// AWS rejects presigned URLs valid for more than 7 days.
constexpr std::chrono::seconds kMaxExpires{7 * 24 * 3600};

using DecodedParams = std::vector<std::pair<std::string, std::string>>;

bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

// SigV4 trims spaces and tabs only (core/strings.h's TrimView trims everything isspace).
std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpaceOrTab(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpaceOrTab(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitView(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

// SigV4 canonical header value: trimmed, and every run of spaces or tabs collapsed to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : TrimSpaces(value)) {
    if (IsSpaceOrTab(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

// Region, service and access key id end up in the '/'-separated credential scope and in the
// Authorization header, so they must not contain separators or whitespace.
bool IsScopeToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// An HTTP method or header name: visible ASCII without separators (RFC 9110 token, loosely).
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != ':' && c != '(' && c != ')' && c != ',' && c != ';' &&
           c != '"' && c != '/' && c != '[' && c != ']' && c != '{' && c != '}';
  });
}

Status ValidateInputs(const SignableRequest& request, const Credentials& credentials,
                      const SigningParams& params) {
  if (!IsScopeToken(credentials.access_key_id)) {
    return Error(ErrorCode::kInvalidArgument,
                 "access key id is empty or contains characters other than A-Z a-z 0-9 - _ .");
  }
  if (credentials.secret_access_key.empty()) {
    return Error(ErrorCode::kInvalidArgument, "secret access key is empty");
  }
  if (!IsScopeToken(params.region)) {
    return Error(ErrorCode::kInvalidArgument, "signing region '" + params.region + "' is invalid");
  }
  if (!IsScopeToken(params.service)) {
    return Error(ErrorCode::kInvalidArgument,
                 "signing service '" + params.service + "' is invalid");
  }
  if (!IsToken(request.method)) {
    return Error(ErrorCode::kInvalidArgument, "HTTP method is empty or not a token");
  }
  if (!request.path.empty() && request.path.front() != '/') {
    return Error(ErrorCode::kInvalidArgument, "request path must start with '/'");
  }
  return Ok();
}

// RFC 3986 remove_dot_segments plus collapsing of empty segments ("//"), keeping a trailing
// slash when the path has one: "//example//" -> "/example/", "/example/.." -> "/". This is what
// botocore (normpath + trailing slash) and the aws-c-auth suite expect.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  for (std::string_view segment : SplitView(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string CanonicalPath(std::string_view path, const SigningParams& params) {
  std::string p = path.empty() ? std::string("/") : std::string(path);
  if (params.normalize_path) p = NormalizePath(p);
  // The path is already encoded for the wire; every service but S3 signs it encoded once more.
  return params.double_encode_path ? UriEncode(p, /*encode_slash=*/false) : p;
}

// Splits a raw query into percent-decoded (key, value) pairs. Empty pieces ("a=1&&b=2") are
// skipped, a key without '=' has an empty value, '+' stays '+' (SigV4 is not the form dialect).
Result<DecodedParams> DecodeQuery(std::string_view query) {
  DecodedParams params;
  if (query.empty()) return params;
  for (std::string_view piece : SplitView(query, '&')) {
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    auto key = UriDecode(piece.substr(0, eq));
    if (!key) return Error(key.error()).WithCode(ErrorCode::kInvalidArgument).Wrap("query key");
    auto value =
        UriDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!value) {
      return Error(value.error()).WithCode(ErrorCode::kInvalidArgument).Wrap("query value");
    }
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

const std::string* FindParam(const DecodedParams& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

// Each key and value encoded (decode-then-encode makes "%e1%88%b4", "%E1%88%B4" and raw UTF-8
// sign the same), sorted by encoded key then encoded value, joined with '&'.
std::string CanonicalQuery(const DecodedParams& params, bool skip_signature) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [key, value] : params) {
    if (skip_signature && key == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(key, true), UriEncode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += key;
    out.push_back('=');
    out += value;
  }
  return out;
}

// Headers botocore never signs (auth.py SIGNED_HEADERS_BLACKLIST, plus the Authorization header
// being computed): proxies and HTTP stacks add, rewrite or drop them — the hop-by-hop headers of
// RFC 9110 7.6.1 (Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) are
// not forwarded at all, so a signature over them breaks behind a proxy. Found by the
// differential check against botocore (tests/differential/test_sigv4_diff.py).
bool IsUnsignedByDefault(std::string_view lower_name) {
  static constexpr std::string_view kUnsigned[] = {
      "authorization", "connection", "expect",  "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "user-agent",    "x-amzn-trace-id"};
  return std::find(std::begin(kUnsigned), std::end(kUnsigned), lower_name) != std::end(kUnsigned);
}

struct CanonicalHeaders {
  std::string text;          // "name:value\n" per signed header, sorted by name
  std::string signed_names;  // "host;x-amz-date"
};

// `wanted` empty: every header but IsUnsignedByDefault; otherwise exactly those lower-case names,
// each of which must be present. Duplicate names are joined with ',' in request order.
Result<CanonicalHeaders> BuildCanonicalHeaders(const std::vector<HttpHeader>& headers,
                                               const std::vector<std::string>& wanted) {
  for (const std::string& name : wanted) {
    if (name == "authorization") {
      return Error(ErrorCode::kInvalidArgument, "the authorization header cannot be signed");
    }
  }
  std::map<std::string, std::string> merged;
  for (const HttpHeader& header : headers) {
    if (!IsToken(header.name)) {
      return Error(ErrorCode::kInvalidArgument, "a header name is empty or not a token");
    }
    std::string name = ToLower(header.name);
    // Security: a CR or LF would let a value smuggle a header line past the signature.
    if (header.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   "header '" + name + "' contains a line break or NUL");
    }
    bool sign = wanted.empty() ? !IsUnsignedByDefault(name)
                               : std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    if (!sign) continue;
    std::string value = CanonicalHeaderValue(header.value);
    auto [it, inserted] = merged.try_emplace(name, value);
    if (!inserted) it->second += "," + value;
  }
  if (!merged.contains("host")) {
    return Error(ErrorCode::kInvalidArgument, "the request has no signed Host header");
  }
  for (const std::string& name : wanted) {
    if (!merged.contains(name)) {
      return Error(ErrorCode::kInvalidArgument,
                   "signed header '" + name + "' is not in the request");
    }
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.text += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names.push_back(';');
    out.signed_names += name;
  }
  return out;
}

std::string_view AsView(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
// Security: intermediate keys are wiped; the caller wipes the result.
crypto::Digest DeriveSigningKey(const SecretString& secret, std::string_view day,
                                std::string_view region, std::string_view service) {
  std::string prefixed("AWS4");
  prefixed += secret.reveal();
  const SecretString k_secret(std::move(prefixed));  // wipes `prefixed`
  crypto::Digest k_date = crypto::HmacSha256(k_secret.reveal(), day);
  crypto::Digest k_region = crypto::HmacSha256(AsView(k_date), region);
  crypto::Digest k_service = crypto::HmacSha256(AsView(k_region), service);
  crypto::Digest k_signing = crypto::HmacSha256(AsView(k_service), kTerminator);
  crypto::SecureWipe(k_date);
  crypto::SecureWipe(k_region);
  crypto::SecureWipe(k_service);
  return k_signing;
}

bool IsSigningParam(std::string_view key) {
  return key == "X-Amz-Algorithm" || key == "X-Amz-Credential" || key == "X-Amz-Date" ||
         key == "X-Amz-Expires" || key == "X-Amz-SignedHeaders" || key == "X-Amz-Security-Token" ||
         key == "X-Amz-Signature";
}

// The raw query without any X-Amz-* signing parameters (re-signing replaces them).
std::string StripSigningParams(std::string_view query) {
  std::string out;
  if (query.empty()) return out;
  for (std::string_view piece : SplitView(query, '&')) {
    if (piece.empty()) continue;
    auto key = UriDecode(piece.substr(0, piece.find('=')));
    if (key && IsSigningParam(*key)) continue;
    if (!out.empty()) out.push_back('&');
    out.append(piece);
  }
  return out;
}

void AppendParam(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) query.push_back('&');
  query += UriEncode(key, true);
  query.push_back('=');
  query += UriEncode(value, true);
}

void RemoveHeader(std::vector<HttpHeader>& headers, std::string_view name) {
  std::erase_if(headers, [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

}  // namespace

std::string HexSha256(std::string_view data) { return HexEncode(crypto::Sha256(data)); }

Result<SigningArtifacts> ComputeSignature(const SignableRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params) {
  if (Status valid = ValidateInputs(request, credentials, params); !valid) {
    return Error(valid.error()).Wrap("SigV4");
  }
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string day = FormatAmzDay(params.time);

  auto query = DecodeQuery(request.query);
  if (!query) return Error(query.error()).Wrap("SigV4");

  std::vector<std::string> wanted = params.signed_headers;
  const std::string* request_date = nullptr;
  if (params.placement == Placement::kHeaders) {
    request_date = FindHeader(request.headers, "X-Amz-Date");
  } else {
    request_date = FindParam(*query, "X-Amz-Date");
    if (const std::string* listed = FindParam(*query, "X-Amz-SignedHeaders")) {
      std::vector<std::string> names;
      for (std::string_view name : SplitView(*listed, ';')) names.emplace_back(name);
      std::vector<std::string> sorted_wanted = wanted;
      std::vector<std::string> sorted_names = names;
      std::sort(sorted_wanted.begin(), sorted_wanted.end());
      std::sort(sorted_names.begin(), sorted_names.end());
      if (!wanted.empty() && sorted_wanted != sorted_names) {
        return Error(ErrorCode::kInvalidArgument,
                     "SigV4: X-Amz-SignedHeaders disagrees with the signed header list");
      }
      wanted = std::move(names);
    }
  }
  if (request_date == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "SigV4: the request carries no X-Amz-Date");
  }
  if (TrimSpaces(*request_date) != amz_date) {
    return Error(ErrorCode::kInvalidArgument,
                 "SigV4: X-Amz-Date does not match the signing time " + amz_date);
  }

  auto headers = BuildCanonicalHeaders(request.headers, wanted);
  if (!headers) return Error(headers.error()).Wrap("SigV4");

  SigningArtifacts out;
  out.signed_headers = headers->signed_names;
  out.credential_scope =
      day + "/" + params.region + "/" + params.service + "/" + std::string(kTerminator);
  out.canonical_request = request.method + "\n" + CanonicalPath(request.path, params) + "\n" +
                          CanonicalQuery(*query, params.placement == Placement::kQuery) + "\n" +
                          headers->text + "\n" + headers->signed_names + "\n" +
                          HexSha256(request.body);
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + out.credential_scope +
                       "\n" + HexSha256(out.canonical_request);
  crypto::Digest key =
      DeriveSigningKey(credentials.secret_access_key, day, params.region, params.service);
  out.signature = HexEncode(crypto::HmacSha256(AsView(key), out.string_to_sign));
  crypto::SecureWipe(key);
  return out;
}

Result<SigningArtifacts> Sign(SignableRequest& request, const Credentials& credentials,
                              const SigningParams& params) {
  // Work on a copy so that an error leaves the caller's request untouched.
  SignableRequest out = request;
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string_view token = credentials.session_token.reveal();
  const bool sign_token = !token.empty() && !params.omit_session_token;
  const bool add_token_after = !token.empty() && params.omit_session_token;

  if (params.placement == Placement::kHeaders) {
    for (std::string_view name : {"Authorization", "X-Amz-Date", "X-Amz-Security-Token"}) {
      RemoveHeader(out.headers, name);
    }
    if (params.sign_body) RemoveHeader(out.headers, "x-amz-content-sha256");
    out.headers.push_back({"X-Amz-Date", amz_date});
    if (sign_token) out.headers.push_back({"X-Amz-Security-Token", std::string(token)});
    if (params.sign_body) out.headers.push_back({"x-amz-content-sha256", HexSha256(out.body)});

    auto artifacts = ComputeSignature(out, credentials, params);
    if (!artifacts) return std::move(artifacts).error();
    out.headers.push_back(
        {"Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                              "/" + artifacts->credential_scope + ", SignedHeaders=" +
                              artifacts->signed_headers + ", Signature=" + artifacts->signature});
    // STS-style clients (omit_session_token) send the token unsigned, after signing.
    if (add_token_after) out.headers.push_back({"X-Amz-Security-Token", std::string(token)});
    request = std::move(out);
    return artifacts;
  }

  if (params.expires_in < std::chrono::seconds(1) || params.expires_in > kMaxExpires) {
    return Error(ErrorCode::kInvalidArgument,
                 "SigV4: presigned expiry must be between 1 second and 7 days");
  }
  // The signed header list is itself a query parameter, so compute it before signing.
  auto headers = BuildCanonicalHeaders(out.headers, params.signed_headers);
  if (!headers) return Error(headers.error()).Wrap("SigV4");

  out.query = StripSigningParams(out.query);
  AppendParam(out.query, "X-Amz-Algorithm", kAlgorithm);
  AppendParam(out.query, "X-Amz-Credential",
              credentials.access_key_id + "/" + FormatAmzDay(params.time) + "/" + params.region +
                  "/" + params.service + "/" + std::string(kTerminator));
  AppendParam(out.query, "X-Amz-Date", amz_date);
  AppendParam(out.query, "X-Amz-SignedHeaders", headers->signed_names);
  AppendParam(out.query, "X-Amz-Expires", std::to_string(params.expires_in.count()));
  if (sign_token) AppendParam(out.query, "X-Amz-Security-Token", token);

  auto artifacts = ComputeSignature(out, credentials, params);
  if (!artifacts) return std::move(artifacts).error();
  AppendParam(out.query, "X-Amz-Signature", artifacts->signature);
  if (add_token_after) AppendParam(out.query, "X-Amz-Security-Token", token);
  request = std::move(out);
  return artifacts;
}

Result<AuthorizationHeader> ParseAuthorization(std::string_view value) {
  auto bad = [](std::string_view what) {
    return Error(ErrorCode::kInvalidArgument,
                 "malformed SigV4 Authorization header: " + std::string(what));
  };
  value = TrimSpaces(value);
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm || value.size() == kAlgorithm.size() ||
      !IsSpaceOrTab(value[kAlgorithm.size()])) {
    return bad("expected the AWS4-HMAC-SHA256 algorithm");
  }
  std::string_view credential, signed_headers, signature;
  for (std::string_view part : SplitView(value.substr(kAlgorithm.size()), ',')) {
    part = TrimSpaces(part);
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) return bad("a component has no '='");
    std::string_view name = part.substr(0, eq);
    std::string_view* slot = name == "Credential"      ? &credential
                             : name == "SignedHeaders" ? &signed_headers
                             : name == "Signature"     ? &signature
                                                       : nullptr;
    if (slot == nullptr) return bad("unknown component");
    if (!slot->empty()) return bad("repeated component");
    *slot = part.substr(eq + 1);
    if (slot->empty()) return bad("empty component");
  }
  if (credential.empty()) return bad("no Credential");
  if (signed_headers.empty()) return bad("no SignedHeaders");
  if (signature.empty()) return bad("no Signature");

  std::vector<std::string_view> scope = SplitView(credential, '/');
  if (scope.size() != 5 || scope[4] != kTerminator) {
    return bad("Credential must be key/yyyymmdd/region/service/aws4_request");
  }
  if (scope[1].size() != 8 ||
      !std::all_of(scope[1].begin(), scope[1].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("the credential date must be yyyymmdd");
  }
  if (!IsScopeToken(scope[0]) || !IsScopeToken(scope[2]) || !IsScopeToken(scope[3])) {
    return bad("the credential has an empty or invalid part");
  }
  if (signature.size() != 64 || !std::all_of(signature.begin(), signature.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return bad("Signature must be 64 lower-case hex digits");
  }
  AuthorizationHeader out;
  out.access_key_id = std::string(scope[0]);
  out.day = std::string(scope[1]);
  out.region = std::string(scope[2]);
  out.service = std::string(scope[3]);
  for (std::string_view name : SplitView(signed_headers, ';')) {
    if (name.empty()) return bad("SignedHeaders has an empty name");
    out.signed_headers.emplace_back(name);
  }
  out.signature = std::string(signature);
  return out;
}

}  // namespace hubspoke::sigv4
