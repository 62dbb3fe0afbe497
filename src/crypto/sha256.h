// SHA-256, HMAC-SHA256 (our own, see sha256.cc for why) and OpenSSL's constant-time compare and
// wipe.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace hubspoke::crypto {

using Digest = std::array<unsigned char, 32>;

// SHA-256 of `data`.
Digest Sha256(std::string_view data);

// HMAC-SHA256 (RFC 2104) of `data` under `key`; any key length, empty included.
Digest HmacSha256(std::string_view key, std::string_view data);

// Security: compares in time that depends only on the lengths, never on the contents, so a
// server comparing a signature it computed with one a client sent leaks nothing about where
// they differ. Different lengths compare unequal (lengths are public: hex signatures are 64).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Security: overwrites `bytes` with zeros in a way the optimizer cannot remove (for key
// material such as SigV4 derived keys).
void SecureWipe(std::span<unsigned char> bytes);

}  // namespace hubspoke::crypto
