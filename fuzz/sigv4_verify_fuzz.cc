// The lab's SigV4 verification (Authorization header, X-Amz-Date, credential scope, signed
// headers) on any request a client may send; and the round trip: a request our signer signed
// must verify.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "hubspoke/sigv4.h"
#include "http_server/http_server.h"
#include "lab/sigv4_verify.h"

namespace {

using hubspoke::Result;
using hubspoke::TimePoint;

constexpr std::string_view kKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char ch : s) {
    if (ch <= 32 || ch >= 127 || std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(ch)) !=
                                     std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  for (unsigned char ch : s) {
    if ((ch < 32 && ch != '\t') || ch == 127) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  // 2015-08-30T12:36:00Z, the date of the SigV4 test suite, give or take the fuzzer's minutes.
  const TimePoint now = TimePoint(std::chrono::seconds(1440938160)) +
                        std::chrono::minutes(static_cast<int>(in.Byte()) - 128);
  // Line 1: method; line 2: target; then "name: value" lines up to an empty line; then the body.
  hubspoke::ServerRequest request;
  request.method = std::string(in.Until('\n'));
  request.target = std::string(in.Until('\n'));
  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.query = q == std::string::npos ? "" : request.target.substr(q + 1);
  bool well_formed = IsToken(request.method) && !request.path.empty() && request.path[0] == '/';
  while (true) {
    std::string_view line = in.Until('\n');
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : Trim(line.substr(colon + 1));
    well_formed = well_formed && IsToken(name) && IsFieldValue(value);
    request.headers.push_back({std::string(name), std::string(value)});
  }
  request.body = std::string(in.Rest());

  hubspoke::lab::KeyLookup lookup = [](std::string_view id,
                                       const std::string* token) -> Result<hubspoke::lab::KeyInfo> {
    if (id != kKeyId || token != nullptr) return hubspoke::lab::InvalidClientToken("unknown key");
    return hubspoke::lab::KeyInfo{.secret = std::string(kSecret), .expiration = std::nullopt};
  };
  hubspoke::lab::VerifyOptions options;
  if (flags & 1) options.region = "us-east-1";
  auto verified = hubspoke::lab::VerifySigV4(request, now, lookup, options);
  if (!verified) {
    (void)verified.error().message();
  }
  (void)hubspoke::lab::MaskKeyId(request.method);

  // The round trip: sign the same request (a Host header added when missing) and verify it.
  if (!well_formed || (flags & 2) == 0) return 0;
  hubspoke::sigv4::SignableRequest signable{.method = request.method, .path = request.path,
                                            .query = request.query, .headers = {},
                                            .body = request.body};
  bool has_host = false;
  for (const auto& h : request.headers) {
    std::string lower;
    for (char ch : h.name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // The signer owns these; a client's own would be replaced.
    if (lower == "authorization" || lower == "x-amz-date" || lower == "x-amz-security-token" ||
        lower == "x-amz-content-sha256") {
      continue;
    }
    has_host = has_host || lower == "host";
    signable.headers.push_back(h);
  }
  if (!has_host) signable.headers.push_back({"Host", "sts.amazonaws.com"});
  hubspoke::Credentials creds;
  creds.access_key_id = std::string(kKeyId);
  creds.secret_access_key = hubspoke::SecretString(std::string(kSecret));
  auto signed_ = hubspoke::sigv4::Sign(signable, creds,
                                       {.region = "us-east-1", .service = "sts", .time = now});
  if (!signed_) return 0;
  hubspoke::ServerRequest received = request;
  received.headers = signable.headers;
  auto again = hubspoke::lab::VerifySigV4(received, now, lookup, options);
  if (!again) {
    std::fprintf(stderr, "signed request refused: %s\n", again.error().message().c_str());
  }
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->access_key_id == kKeyId && again->region == "us-east-1");
  return 0;
}
