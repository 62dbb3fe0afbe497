// A provider whose credentials come from STS AssumeRole called with another provider's: one
// hop of a role chain (refreshing.h explains chains and thread safety).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hubspoke/credentials.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"
#include "hubspoke/transport_pool.h"

namespace hubspoke {

// Turns an STS error of one hop into a hint for the user ("the spoke role's trust policy must
// name the hub role…"); empty when nothing useful can be said.
using HopHintFunction = std::function<std::string(const Error& error)>;

// Asks for the current code of an MFA device (its serial number or ARN); errors stop the hop.
using MfaCodeReader = std::function<Result<std::string>(const std::string& mfa_serial)>;
// Reads a 6-digit code from /dev/tty after a prompt naming the serial.
MfaCodeReader TerminalMfaCodeReader();

struct AssumeRoleProviderOptions {
  AssumeRoleRequest request;  // role ARN, session name, duration, external id, policy, tags, …
  StsClientOptions sts;       // endpoint, signing region, retries, per-attempt timeout
  // Names the hop in logs and errors: "<hop_name>: AssumeRole …" in the log, and
  // "<hop_name> hop <role arn>: STS AssumeRole: AccessDenied …" in errors. Empty: "assume-role".
  std::string hop_name;
  HopHintFunction hint;  // empty: errors carry no hint
  // Replaces "<hop_name> hop <role arn>" in front of this hop's STS errors ("profile dev:
  // AssumeRole arn:…" for a profile's role_arn).
  std::string error_context;
  // With request.serial_number set and request.token_code empty, the code is asked for on every
  // call, after the source's credentials are in hand; its errors read
  // "<hop_name>: mfa_serial <serial>: …". Empty: TerminalMfaCodeReader().
  MfaCodeReader mfa_reader;
  // See the thread-safety rule above. Null: send through sys.http (one thread at a time).
  std::shared_ptr<TransportPool> transports;
};

class AssumeRoleCredentialsProvider : public CredentialsProvider {
 public:
  // Asks the source for credentials, then calls STS AssumeRole with them: one fresh session per
  // call (no caching; wrap the provider in MakeCachingProvider for that). Errors of the source
  // are returned unchanged (a source names itself: a deeper hop's error already reads
  // "hub hop arn:…: …"); errors of this hop's STS call are wrapped as
  // "<hop_name> hop <role arn>: …" with the hint. Logs the call at kInfo (never a secret).
  virtual Result<AssumeRoleResponse> AssumeRole() = 0;
  // The credentials of AssumeRole().
  Result<Credentials> GetCredentials() override;
  // Describe() is "<hop_name> hop <role arn>".
};

// `sys` (its clock, environment, logger, random source, and its http when
// options.transports is null) must outlive the provider; `source` is shared.
std::shared_ptr<AssumeRoleCredentialsProvider> MakeAssumeRoleProvider(
    const SystemContext& sys, std::shared_ptr<CredentialsProvider> source,
    AssumeRoleProviderOptions options);

}  // namespace hubspoke
