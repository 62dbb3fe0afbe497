// SHA-1 (FIPS 180-4), for naming files, never for security: the AWS CLI and SDKs name a cached
// IAM Identity Center token ~/.aws/sso/cache/<hex SHA-1 of the session name or start URL>.json.
// Written out for the reason sha256.cc gives (OpenSSL's EVP start-up cost).
#pragma once

#include <array>
#include <string_view>

namespace hubspoke::crypto {

using Sha1Digest = std::array<unsigned char, 20>;

// SHA-1 of `data`.
Sha1Digest Sha1(std::string_view data);

}  // namespace hubspoke::crypto
