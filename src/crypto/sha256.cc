#include "crypto/sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace hubspoke::crypto {
namespace {

// OpenSSL treats (nullptr, 0) inconsistently across APIs; an empty string_view may have a null
// data(), so always hand it a valid pointer.
const unsigned char* Bytes(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

[[noreturn]] void Die(const char* what) {
  std::fputs("hubspoke: fatal: OpenSSL failed to compute ", stderr);
  std::fputs(what, stderr);
  std::fputs("\n", stderr);
  std::abort();
}

}  // namespace

Digest Sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(Bytes(data), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    Die("SHA-256");
  }
  return out;
}

Digest HmacSha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    // RFC 2104: a key longer than the block size is replaced by its hash, so hashing it here
    // gives the same MAC while keeping the length within what HMAC() accepts.
    Digest hashed = Sha256(key);
    Digest out = HmacSha256(
        std::string_view(reinterpret_cast<const char*>(hashed.data()), hashed.size()), data);
    SecureWipe(hashed);
    return out;
  }
  Digest out{};
  unsigned int len = 0;
  // HMAC() one-shot is not deprecated in OpenSSL 3 (only the HMAC_CTX API is).
  if (HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(),
           out.data(), &len) == nullptr ||
      len != out.size()) {
    Die("HMAC-SHA256");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureWipe(std::span<unsigned char> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

}  // namespace hubspoke::crypto
