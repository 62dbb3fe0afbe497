// Errors as values: Status and Result<T>, with method names that mirror std::expected
// (which g++ 12 lacks in C++20).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hubspoke {

// What kind of failure this is. A provider chain moves on only on kNotConfigured; every other
// code stops it. main() maps kInvalidArgument to exit status 2 and everything else to 1.
enum class ErrorCode {
  kNotConfigured,    // the source is absent (no env vars, no file): not an error for a chain
  kInvalidArgument,  // bad user input: flag, env var, file content
  kMisconfigured,    // a source is present but broken
  kAccessDenied,     // the remote side refused (AccessDenied, signature, unknown key, expired)
  kThrottled,        // rate limited after all retries
  kNetwork,          // connect/read/write/TLS failures
  kTimeout,          // a deadline passed
  kParse,            // a response or file we could not understand
  kRemote,           // any other error the remote side reported
  kInternal,         // a bug or an OS failure
};

const char* ErrorCodeName(ErrorCode code);

// A finer reason than the code, for the callers that decide on it: control flow reads these
// fields, never message text.
enum class ErrorReason {
  kUnspecified,
  kProfileLoop,               // a source_profile chain enters a profile twice
  kCredentialProcessLoop,     // a credential_process resolves a profile its callers resolve
  kCredentialProcessTooDeep,  // credential_process helpers nested beyond the limit
  kNoCredentialsFound,        // no source of a credentials chain had any
  kCommandNotFound,           // a child's command does not exist (ENOENT, ENOTDIR): shells say 127
  kCommandNotRunnable,        // a child's command exists but cannot be run: shells say 126
  kDeadline,                  // a call gave up at a deadline (the chain's timeout), not its own
};

// Details of an error reported by an AWS service, kept structured so callers can branch on them.
struct AwsErrorDetails {
  std::string code;        // e.g. "AccessDenied"
  std::string message;     // the service's message
  std::string request_id;  // x-amzn-RequestId / <RequestId>
  int http_status = 0;

  // "AccessDenied (HTTP 403, request id 4b1c…)", or without a code "HTTP 503 (request id …)";
  // "no request id" when there is none. Then ": message" when there is one.
  std::string Summary() const;
};

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  // The whole message, outermost context first: "hub hop arn:…: STS AssumeRole: AccessDenied …".
  const std::string& message() const { return message_; }
  const std::optional<AwsErrorDetails>& aws() const { return aws_; }
  // A hint for the user ("check the spoke role's trust policy …"), empty when none applies.
  const std::string& hint() const { return hint_; }
  ErrorReason reason() const { return reason_; }
  // The credential source the message already names ("web identity", "EC2 instance metadata",
  // "profile"), so that a chain listing why each source was skipped does not name it twice;
  // empty when the message does not name its source.
  const std::string& source() const { return source_; }
  // The hop of a role chain that failed ("base", "hub", "spoke", a profile's hop name), set by
  // the hop that made the error and kept through the hops above it; empty outside a chain.
  const std::string& hop() const { return hop_; }

  // Adds context in front of the message: Wrap("hub hop") gives "hub hop: <message>".
  Error Wrap(const std::string& context) const& {
    Error e = *this;
    e.message_ = context + ": " + message_;
    return e;
  }
  Error WithAws(AwsErrorDetails details) && {
    aws_ = std::move(details);
    return std::move(*this);
  }
  Error WithHint(std::string hint) && {
    hint_ = std::move(hint);
    return std::move(*this);
  }
  Error WithCode(ErrorCode code) && {
    code_ = code;
    return std::move(*this);
  }
  Error WithReason(ErrorReason reason) && {
    reason_ = reason;
    return std::move(*this);
  }
  Error WithSource(std::string source) && {
    source_ = std::move(source);
    return std::move(*this);
  }
  Error WithHop(std::string hop) && {
    hop_ = std::move(hop);
    return std::move(*this);
  }
  // message, then " — hint" when there is one. One line, no secrets (callers never put any in).
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::optional<AwsErrorDetails> aws_;
  std::string hint_;
  ErrorReason reason_ = ErrorReason::kUnspecified;
  std::string source_;
  std::string hop_;
};

// Result<T>: a value or an Error. Status = Result<void>.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}             // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}         // NOLINT(google-explicit-constructor)

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(v_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& { assert(e_); return *e_; }
  Error&& error() && { assert(e_); return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace hubspoke
