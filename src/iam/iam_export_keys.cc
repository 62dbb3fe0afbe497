// AddExportedUserKeys (iam_export.h): access keys for users that came from an export.
#include "crypto/sha256.h"
#include "iam/iam_export.h"

namespace hubspoke::iam {
namespace {

// `count` characters of `alphabet` (whose size divides 256, so no character is favoured) from
// HMAC-SHA256(seed, label + arn), extended with a counter when one digest is not enough.
std::string Derive(std::string_view seed, std::string_view label, std::string_view arn,
                   std::string_view alphabet, std::size_t count) {
  std::string out;
  for (int block = 0; out.size() < count; ++block) {
    crypto::Digest d = crypto::HmacSha256(
        seed, std::string(label) + "\n" + std::to_string(block) + "\n" + std::string(arn));
    for (std::size_t i = 0; i < d.size() && out.size() < count; ++i) {
      out += alphabet[d[i] % alphabet.size()];
    }
    crypto::SecureWipe(d);
  }
  return out;
}

}  // namespace

SecretString AddExportedUserKeys(Model& model, std::string_view seed) {
  static constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  static constexpr std::string_view kBase64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string file;
  for (User& user : model.users) {
    if (!user.access_keys.empty()) continue;
    // AKIA + 16: the length of AWS's long-term key ids; 40 characters: its secrets'.
    AccessKey key{"AKIA" + Derive(seed, "access key id", user.arn, kBase32, 16),
                  SecretString(Derive(seed, "secret access key", user.arn, kBase64, 40))};
    file += "[" + user.account + "-" + user.name + "]\naws_access_key_id = " + key.id +
            "\naws_secret_access_key = " + std::string(key.secret.reveal()) + "\n\n";
    user.access_keys.push_back(std::move(key));
  }
  return SecretString(std::move(file));
}

}  // namespace hubspoke::iam
