// Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA1, 30-second steps, 6 digits),
// as a virtual MFA device makes them: the lab checks an AssumeRole TokenCode with them when the
// model gives the device's seed (users[].mfa_seeds, docs/lab.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hubspoke::iam {

// RFC 4648 base 32 (the seed an authenticator app's QR code carries): A–Z and 2–7, either case,
// spaces and '=' padding ignored. nullopt for any other character or an empty result.
std::optional<std::string> DecodeBase32(std::string_view text);

// The `digits`-digit code (zero-padded) of `key` for counter `step` (RFC 4226 HOTP).
std::string Hotp(std::string_view key, std::uint64_t step, int digits = 6);

// The 30-second step of a Unix time (RFC 6238, T0 = 0).
std::uint64_t TotpStep(std::int64_t unix_seconds);

// The step within one of `unix_seconds`' (the one before, the same, the one after: the clock skew
// AWS tolerates) whose code is `code`; nullopt when none is.
std::optional<std::uint64_t> MatchTotp(std::string_view key, std::string_view code,
                                       std::int64_t unix_seconds);

}  // namespace hubspoke::iam
