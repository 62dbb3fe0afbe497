// A named profile of the shared config files as a credentials provider: its chain resolved as
// data (profile_chain.cc) and executed (chain_provider.cc); and the terminal MFA code reader.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "core/strings.h"
#include "creds/profile_chain_marker.h"
#include "hubspoke/chain_plan.h"
#include "hubspoke/credential_sources.h"

namespace hubspoke {
namespace {

// Resolves the profile's chain (ResolveProfileChain) and runs it (MakeChainProvider) on every
// call: each call is a fresh chain, as the AWS CLI's is (a caching provider above keeps it).
class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(const SystemContext& sys, const ProfileSet& profiles,
                  ProfileProviderOptions options)
      : sys_(sys), profiles_(profiles), options_(std::move(options)) {
    chain_options_.explicit_profile = options_.explicit_profile;
    chain_options_.inherited_chain = InheritedProfileChain(sys.env);
  }

  Result<Credentials> GetCredentials() override {
    auto plan = ResolveProfileChain(profiles_, options_.profile_name, chain_options_);
    if (!plan) return std::move(plan).error();
    auto chain = MakeChainProvider(
        sys_, profiles_, std::move(*plan),
        ChainProviderOptions{.mfa_reader = options_.mfa_reader, .sts = options_.sts});
    if (!chain) return std::move(chain).error();
    auto c = (*chain)->GetCredentials();
    if (!c) return c;
    std::lock_guard<std::mutex> lock(mu_);
    how_ = (*chain)->Describe();
    return c;
  }

  std::string Describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string d = "profile " + options_.profile_name;
    if (!how_.empty()) d += " (" + how_ + ")";
    return d;
  }

 private:
  const SystemContext& sys_;
  const ProfileSet& profiles_;
  ProfileProviderOptions options_;
  ProfileChainOptions chain_options_;
  mutable std::mutex mu_;
  std::string how_;
};

}  // namespace

MfaCodeReader TerminalMfaCodeReader() {
  return [](const std::string& serial) -> Result<std::string> {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      return Error(ErrorCode::kMisconfigured,
                   "an MFA code is needed but there is no terminal to ask for it on");
    }
    const std::string prompt = "Enter MFA code for " + serial + ": ";
    (void)!::write(fd, prompt.data(), prompt.size());
    // The code is typed blind, as a password is: echo off for the read, restored after (also
    // when the read fails). Not a terminal that can do that (a pipe made /dev/tty?): refuse
    // rather than show the code.
    struct termios saved {};
    if (::tcgetattr(fd, &saved) != 0) {
      ::close(fd);
      return Error(ErrorCode::kMisconfigured, "cannot turn off echo on the terminal to read the MFA code");
    }
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    (void)::tcsetattr(fd, TCSAFLUSH, &quiet);
    std::string line;
    char c = 0;
    while (line.size() < 64) {
      ssize_t n = ::read(fd, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || c == '\n') break;
      line += c;
    }
    (void)::tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!::write(fd, "\n", 1);  // the Enter that was not echoed
    ::close(fd);
    line = Trim(line);
    if (line.size() != 6 || line.find_first_not_of("0123456789") != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument, "the MFA code must be 6 digits");
    }
    return line;
  };
}

std::unique_ptr<CredentialsProvider> MakeProfileCredentialsProvider(
    const SystemContext& sys, const ProfileSet& profiles, ProfileProviderOptions options) {
  return std::make_unique<ProfileProvider>(sys, profiles, std::move(options));
}

}  // namespace hubspoke
