// Percent-encoding as AWS uses it (RFC 3986), and the application/x-www-form-urlencoded body
// of awsQuery requests such as STS AssumeRole.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 / SigV4 UriEncode: the unreserved characters A-Z a-z 0-9 '-' '.' '_' '~' are kept,
// every other byte becomes %XX with upper-case hex (UTF-8 is encoded byte by byte). '/' is kept
// unless `encode_slash` (paths keep it; query keys and values encode it). A space is "%20",
// never '+'.
std::string UriEncode(std::string_view text, bool encode_slash);

// Reverses UriEncode, accepting either hex case. Strict: a '%' not followed by two hex digits is
// a kParse error. '+' is a literal '+' here (see FormDecode for the form dialect). Characters
// that need no decoding, raw UTF-8 included, pass through unchanged.
Result<std::string> UriDecode(std::string_view text);

// The awsQuery body: "k1=v1&k2=v2" in the given order, keys and values UriEncode(…, true).
std::string FormEncode(const FormParams& params);

// Parses an application/x-www-form-urlencoded body: pairs separated by '&' (empty pieces are
// skipped), split at the first '='; a key without '=' has an empty value; '+' is a space; then
// strict percent-decoding (a bad escape is a kParse error). Order and duplicates are kept.
Result<FormParams> FormDecode(std::string_view body);

}  // namespace hubspoke
