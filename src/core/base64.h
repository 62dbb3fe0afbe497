// Base-64 (RFC 4648): the standard alphabet with padding (Proxy Basic auth, BinaryEquals policy
// values) and base64url without padding (JWTs).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hubspoke {

// Standard base-64 (RFC 4648 §4) with '=' padding: "foob" -> "Zm9vYg==".
std::string Base64Encode(std::string_view data);
// Strict standard base-64: length a multiple of 4, '=' only as the final padding; nullopt
// otherwise. Unused bits of the last character are not checked ("Zh==" decodes as "Zg==").
std::optional<std::string> Base64Decode(std::string_view text);

// base64url (RFC 4648 §5) without padding, as JWTs use it: "foob" -> "Zm9vYg".
std::string Base64UrlEncode(std::string_view data);
// base64url, lenient as JWT decoders are: padding optional (any trailing '=' are ignored), the
// standard alphabet's '+' and '/' accepted too. A lone final character adds no byte.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace hubspoke
