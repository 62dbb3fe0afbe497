#include "core/validate.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/partition.h"
#include "core/strings.h"
#include "core/url.h"

namespace hubspoke {
namespace {

Error Invalid(std::string_view what, std::string_view value, std::string_view rule) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + ": invalid value '" + Printable(value, 80) + "': " +
                   std::string(rule));
}
Error InvalidSecret(std::string_view what, std::string_view rule) {
  return Error(ErrorCode::kInvalidArgument, std::string(what) + ": invalid value: " +
                                                std::string(rule));
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool AllOf(std::string_view s, std::string_view extra) {
  for (char c : s)
    if (!IsWordChar(c) && extra.find(c) == std::string_view::npos) return false;
  return true;
}
std::string Describe(std::string_view chars, std::size_t min, std::size_t max) {
  return std::to_string(min) + "–" + std::to_string(max) + " characters of " + std::string(chars);
}

}  // namespace

Status ValidateAccountId(std::string_view what, std::string_view value) {
  if (value.size() != 12 || !std::all_of(value.begin(), value.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return Invalid(what, value, "an AWS account id is exactly 12 digits");
  return Ok();
}

Status ValidateRoleName(std::string_view what, std::string_view value) {
  if (value.empty() || value.size() > 64 || !AllOf(value, "+=,.@-"))
    return Invalid(what, value,
                   "a role name is " + Describe("letters, digits and +=,.@_-", 1, 64));
  return Ok();
}

Status ValidateRolePath(std::string_view what, std::string_view value) {
  bool ok = !value.empty() && value.size() <= 512 && value.front() == '/' && value.back() == '/';
  for (char c : value)
    if (c < 0x21 || c > 0x7e) ok = false;
  if (ok && value.find("//") != std::string_view::npos) ok = false;
  if (!ok)
    return Invalid(what, value,
                   "a role path is '/' or '/a/b/' of printable ASCII, at most 512 characters");
  return Ok();
}

Status ValidateSessionName(std::string_view what, std::string_view value) {
  if (value.size() < 2 || value.size() > 64 || !AllOf(value, "+=,.@-"))
    return Invalid(what, value,
                   "a role session name is " + Describe("letters, digits and +=,.@_-", 2, 64));
  return Ok();
}

Status ValidateExternalId(std::string_view what, std::string_view value) {
  // Security: the external id is a shared secret between the caller and the role owner, so the
  // message gives its length, never the value.
  if (value.size() < 2 || value.size() > 1224 || !AllOf(value, "+=,.@:/-"))
    return InvalidSecret(what, "an external id is " +
                                   Describe("letters, digits and +=,.@:/_-", 2, 1224) +
                                   " (got " + std::to_string(value.size()) + " characters)");
  return Ok();
}

Status ValidateSourceIdentity(std::string_view what, std::string_view value) {
  if (value.size() < 2 || value.size() > 64 || !AllOf(value, "+=,.@-"))
    return Invalid(what, value,
                   "a source identity is " + Describe("letters, digits and +=,.@_-", 2, 64));
  if (ToLower(value.substr(0, 4)) == "aws:")
    return Invalid(what, value, "a source identity must not begin with 'aws:'");
  return Ok();
}

namespace {
// [\p{L}\p{Z}\p{N}_.:/=+\-@]: ASCII letters, digits, space and the punctuation listed; bytes of
// multi-byte UTF-8 sequences are accepted as letters (STS decides on the exact Unicode class).
bool IsTagChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || std::string_view(" _.:/=+-@").find(c) != std::string_view::npos;
}
}  // namespace

Status ValidateTagKey(std::string_view what, std::string_view key) {
  if (key.empty() || key.size() > 128 || !std::all_of(key.begin(), key.end(), IsTagChar))
    return Invalid(what, key,
                   "a session tag key is 1–128 characters of letters, digits, spaces and "
                   "_.:/=+-@");
  if (ToLower(key.substr(0, 4)) == "aws:")
    return Invalid(what, key, "session tag keys must not begin with 'aws:' (reserved by AWS)");
  return Ok();
}

Status ValidateTagValue(std::string_view what, std::string_view key, std::string_view value) {
  if (value.size() > 256 || !std::all_of(value.begin(), value.end(), IsTagChar))
    return Invalid(what, std::string(key) + "=" + std::string(value),
                   "a session tag value is 0–256 characters of letters, digits, spaces and "
                   "_.:/=+-@");
  return Ok();
}

Status ValidateRegion(std::string_view what, std::string_view value) {
  bool ok = !value.empty() && value.size() <= 64 && value.front() != '-' && value.back() != '-';
  for (char c : value)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-'))
      ok = false;
  if (!ok)
    return Invalid(what, value,
                   "a region is lower-case letters, digits and '-', e.g. us-east-1 or eu-west-2");
  return Ok();
}

Status ValidateEndpointUrl(std::string_view what, std::string_view value) {
  auto url = ParseUrl(value);
  if (!url) return Invalid(what, value, "an endpoint is an http:// or https:// URL: " +
                                            url.error().message());
  if (url->target.find('?') != std::string::npos)
    return Invalid(what, value, "an endpoint URL must not have a query string");
  return Ok();
}

Status ValidatePolicyArn(std::string_view what, std::string_view value) {
  // arn:PARTITION:iam::ACCOUNT:policy/NAME, ACCOUNT = 12 digits or "aws" for AWS managed.
  auto parts = Split(value, ':');
  bool ok = value.size() >= 20 && value.size() <= 2048 && parts.size() == 6 && parts[0] == "arn" &&
            !PartitionById(parts[1]).id.empty() && parts[2] == "iam" && parts[3].empty() &&
            (parts[4] == "aws" || ValidateAccountId(what, parts[4]).has_value()) &&
            parts[5].rfind("policy/", 0) == 0 && parts[5].size() > 7;
  if (!ok)
    return Invalid(what, value,
                   "a managed policy ARN looks like arn:aws:iam::123456789012:policy/NAME or "
                   "arn:aws:iam::aws:policy/ReadOnlyAccess");
  return Ok();
}

Result<std::chrono::seconds> ParseDuration(std::string_view what, std::string_view value) {
  auto bad = [&] {
    return Invalid(what, value, "a duration is seconds (3600) or a Go-style duration (15m, 1h, 1h30m)");
  };
  if (value.empty()) return bad();
  long long total = 0;
  std::size_t i = 0;
  bool any_unit = false;
  while (i < value.size()) {
    long long n = 0;
    std::size_t start = i;
    while (i < value.size() && std::isdigit(static_cast<unsigned char>(value[i]))) {
      n = n * 10 + (value[i] - '0');
      if (n > 10'000'000) return bad();
      ++i;
    }
    if (i == start) return bad();
    if (i == value.size()) {
      if (any_unit) return bad();  // "1h30" is ambiguous
      total += n;
      break;
    }
    char unit = value[i++];
    any_unit = true;
    if (unit == 'h') total += n * 3600;
    else if (unit == 'm') total += n * 60;
    else if (unit == 's') total += n;
    else return bad();
  }
  return std::chrono::seconds(total);
}

Status ValidateDuration(std::string_view what, std::chrono::seconds value, bool chained,
                        std::string_view as_given) {
  long long s = value.count();
  const std::string shown =
      as_given.empty() ? std::to_string(s) + "s"
                       : Printable(as_given, 40) + "' (" + std::to_string(s) + "s";
  if (chained && (s < 900 || s > 3600))
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": invalid value '" + shown +
                     (as_given.empty() ? "'" : ")") + ": a chained role session lasts 900–3600 seconds (15m–1h); STS caps "
                     "sessions assumed by role chaining at 1 hour");
  if (!chained && (s < 900 || s > 43200))
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": invalid value '" + shown +
                     (as_given.empty() ? "'" : ")") + ": a role session lasts 900–43200 seconds (15m–12h)");
  return Ok();
}

}  // namespace hubspoke
