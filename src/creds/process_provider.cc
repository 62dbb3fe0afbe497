// credential_process, as the AWS CLI (botocore ProcessProvider) and the JS SDK
// (credential-provider-process) run it: `/bin/sh -c COMMAND`, stdout parsed as JSON Version 1.
// Neither SDK has a timeout; we add one (default 60 s) and kill the command's whole process group
// at it, so a hung helper cannot hang the chain.
#include <csignal>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "core/json_wipe.h"
#include "core/strings.h"
#include "core/time.h"
#include "creds/process_runner.h"
#include "creds/profile_chain_marker.h"
#include "hubspoke/credential_sources.h"

namespace hubspoke {
namespace {

std::string FormatTimeout(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// The environment as the child should get it: one definition per name, the last one winning
// (as MapEnvironment::Get reads it).
std::vector<std::pair<std::string, std::string>> Deduplicated(
    std::vector<std::pair<std::string, std::string>> vars) {
  std::vector<std::pair<std::string, std::string>> out;
  std::map<std::string, std::size_t> at;
  for (auto& [k, v] : vars) {
    auto it = at.find(k);
    if (it != at.end()) {
      out[it->second].second = std::move(v);
    } else {
      at.emplace(k, out.size());
      out.emplace_back(k, std::move(v));
    }
  }
  return out;
}

// Reads {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
// Messages name the field, never its value (stdout holds secrets). `subject` starts each one.
Result<Credentials> ParseOutput(std::string_view text, TimePoint now,
                                const std::string& subject) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Security: e.what() quotes the text around the error ("last read: …"); only the offset.
    return Error(ErrorCode::kMisconfigured,
                 subject + " printed invalid JSON (" + std::to_string(text.size()) +
                     " bytes, parse error at byte " + std::to_string(e.byte) + ")")
        .WithHint(
            "credential_process must print {\"Version\": 1, \"AccessKeyId\": …, "
            "\"SecretAccessKey\": …} on stdout and anything else on stderr");
  } catch (const nlohmann::json::exception&) {
    // out_of_range: a number too large for a double (1E800). what() quotes it: not shown.
    return Error(ErrorCode::kMisconfigured,
                 subject + " printed invalid JSON (" + std::to_string(text.size()) +
                     " bytes, a number out of range)")
        .WithHint(
            "credential_process must print {\"Version\": 1, \"AccessKeyId\": …, "
            "\"SecretAccessKey\": …} on stdout and anything else on stderr");
  }
  JsonWiper wiper{j};
  auto bad = [&](const std::string& what) {
    return Error(ErrorCode::kMisconfigured, subject + " output " + what);
  };
  if (!j.is_object()) return bad("is not a JSON object");
  auto version = j.find("Version");
  if (version == j.end()) return bad("has no Version (expected 1)");
  if (!version->is_number()) return bad("has a Version that is not a number (expected 1)");
  if (version->get<double>() != 1.0) {
    std::string shown = version->is_number_integer() ? version->dump() : "other than 1";
    return bad("has Version " + Printable(shown, 20) + "; only Version 1 is supported");
  }
  auto string_field = [&](const char* name, bool required, std::string* out) -> Status {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) return bad(std::string("has no ") + name);
      return Ok();
    }
    if (!it->is_string()) return bad(std::string("has a ") + name + " that is not a string");
    *out = it->get<std::string>();
    if (required && Trim(*out).empty()) return bad(std::string("has an empty ") + name);
    return Ok();
  };
  Credentials c;
  std::string secret, token, expiration;
  if (auto s = string_field("AccessKeyId", true, &c.access_key_id); !s) return std::move(s).error();
  if (auto s = string_field("SecretAccessKey", true, &secret); !s) return std::move(s).error();
  if (auto s = string_field("SessionToken", false, &token); !s) return std::move(s).error();
  if (auto s = string_field("Expiration", false, &expiration); !s) return std::move(s).error();
  c.secret_access_key = SecretString(std::move(secret));
  c.session_token = SecretString(std::move(token));
  if (!expiration.empty()) {
    auto t = ParseTimestamp(Trim(expiration));
    if (!t)
      return bad("has an Expiration that is not an ISO 8601 time (e.g. 2026-01-01T00:00:00Z)");
    // JS SDK: "credential_process returned expired credentials" (botocore refreshes once and
    // fails the same way).
    if (*t <= now) {
      return Error(ErrorCode::kMisconfigured,
                   subject + " returned credentials that expired at " + FormatRfc3339(*t));
    }
    c.expiration = *t;
  }
  return c;
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

class ProcessProvider final : public CredentialsProvider {
 public:
  ProcessProvider(const SystemContext& sys, ProcessProviderOptions options)
      : clock_(sys.clock),
        env_(sys.env),
        log_(sys.log),
        processes_(sys.processes),
        options_(std::move(options)) {
    subject_ = options_.profile_name.empty()
                   ? "credential_process"
                   : "profile " + options_.profile_name + ": credential_process";
  }

  Result<Credentials> GetCredentials() override {
    if (Trim(options_.command).empty()) {
      return Error(ErrorCode::kMisconfigured, subject_ + " is empty");
    }
    // The command itself is not logged: helpers take tokens and passwords as arguments too.
    log_.Log(LogLevel::kDebug,
             subject_ + ": running it (timeout " + FormatTimeout(options_.timeout) + ")");
    auto run = process::RunShellCapturingStdout(processes_, options_.command, HelperEnvironment(),
                                                process::ShellRunOptions{.timeout = options_.timeout});
    if (!run) return std::move(run).error().Wrap(subject_);
    using Outcome = process::ShellRun::Outcome;
    switch (run->outcome) {
      case Outcome::kTimedOut:
        return Error(ErrorCode::kTimeout,
                     subject_ + " did not finish within " + FormatTimeout(options_.timeout))
            .WithHint(
                "it was stopped; a helper that waits for input (a browser login, an MFA "
                "prompt) must finish in time");
      case Outcome::kOutputTooLarge:
        return Error(ErrorCode::kMisconfigured,
                     subject_ + " wrote more than 1 MiB to stdout; it was stopped");
      case Outcome::kSignaled:
        return Error(ErrorCode::kMisconfigured,
                     subject_ + " was killed by " + SignalName(run->signal));
      case Outcome::kExited:
        break;
    }
    if (run->exit_status != 0) {
      // The shell's conventions: 127 not found, 126 not executable, 128+N killed by signal N.
      std::string why = run->exit_status == 127   ? " (command not found)"
                        : run->exit_status == 126 ? " (command not executable)"
                                                  : "";
      if (run->exit_status > 128 && run->exit_status < 128 + 65) {
        why = " (a command it ran was killed by " + SignalName(run->exit_status - 128) + ")";
      }
      // Security: stdout is not shown (it may hold half-written credentials); the helper's own
      // explanation went to stderr, which we pass through.
      return Error(ErrorCode::kMisconfigured,
                   subject_ + " exited with status " + std::to_string(run->exit_status) + why)
          .WithHint("its own error message, if it printed one, is on stderr above");
    }
    auto creds = ParseOutput(run->stdout_text.reveal(), clock_.Now(), subject_);
    if (creds && log_.Enabled(LogLevel::kDebug)) {
      log_.Log(LogLevel::kDebug,
               subject_ + " gave " + MaskAccessKeyId(creds->access_key_id) +
                   (creds->expiration ? " expiring " + FormatRfc3339(*creds->expiration)
                                      : std::string(" (no expiration)")));
    }
    return creds;
  }

  std::string Describe() const override {
    return options_.profile_name.empty()
               ? "credential_process"
               : "credential_process (profile " + options_.profile_name + ")";
  }

 private:
  // Ours, with the profile chain marker extended by the profiles that led to this helper.
  std::vector<std::pair<std::string, std::string>> HelperEnvironment() const {
    auto vars = env_.All();
    std::vector<std::string> chain = InheritedProfileChain(env_);
    if (!options_.profile_chain.empty()) {
      chain.insert(chain.end(), options_.profile_chain.begin(), options_.profile_chain.end());
    } else {
      chain.push_back(options_.profile_name.empty() ? "-" : options_.profile_name);
    }
    vars.emplace_back(kProfileChainVar, FormatProfileChain(chain));
    return Deduplicated(std::move(vars));
  }

  const Clock& clock_;
  const Environment& env_;
  Logger& log_;
  ProcessRunner& processes_;
  ProcessProviderOptions options_;
  std::string subject_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeProcessCredentialsProvider(
    const SystemContext& sys, ProcessProviderOptions options) {
  return std::make_unique<ProcessProvider>(sys, std::move(options));
}

}  // namespace hubspoke
