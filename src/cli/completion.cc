// `assume-spoke-role completion bash|zsh|fish`: the shell completion script, and the hidden
// `__man-pages DIR` the build runs to write the man pages; both from the app's own flag table
// (cli_docs.h).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "cli/cli_docs.h"
#include "cli/command.h"
#include "hubspoke/version.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kCompletionHelp = R"HELP(
Prints a completion script for the shell: subcommands, flags, the values of --format, file and
directory names where a flag wants one, and for --profile the profile names of the shared config
files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; from `assume-spoke-role profiles --names`).
The Debian package installs all three; from a build, load one yourself.

Examples:
  source <(assume-spoke-role completion bash)          # in ~/.bashrc
  assume-spoke-role completion zsh > "${fpath[1]}/_assume-spoke-role"
  assume-spoke-role completion fish > ~/.config/fish/completions/assume-spoke-role.fish

Exit status:
  0 success; 2 an unknown shell.)HELP";

class CompletionCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
    app_->add_option("SHELL", shell_, "The shell")->required()->type_name("{bash,zsh,fish}");
    app_->footer(kCompletionHelp);
    return app_;
  }
  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "completion takes no command after --"));
    }
    std::string script = CompletionScript(*invocation.root, shell_);
    if (script.empty()) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "completion: " + shell_ + ": must be bash, zsh or fish"));
    }
    std::fwrite(script.data(), 1, script.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

 private:
  CLI::App* app_ = nullptr;
  std::string shell_;
};

class ManPagesCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("__man-pages", "Write the man pages into DIR (the build runs it)");
    app_->group("");  // hidden: a build step, not for users
    app_->add_option("DIR", dir_, "An existing directory")->required();
    return app_;
  }
  int Execute(const Invocation& invocation) override {
    BuildInfo info = GetBuildInfo();
    for (const auto& [name, text] : ManPages(*invocation.root, info.build_date, info.version)) {
      std::string path = dir_ + "/" + name;
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
      bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) ==
                               static_cast<ssize_t>(text.size());
      int saved = errno;
      if (fd >= 0) ok = ::close(fd) == 0 && ok;
      if (!ok) {
        std::fprintf(stderr, "assume-spoke-role: error: __man-pages: %s: %s\n", path.c_str(),
                     std::strerror(saved));
        return 1;
      }
    }
    return 0;
  }

 private:
  CLI::App* app_ = nullptr;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Command> MakeCompletionCommand() { return std::make_unique<CompletionCommand>(); }
std::unique_ptr<Command> MakeManPagesCommand() { return std::make_unique<ManPagesCommand>(); }

}  // namespace hubspoke::cli
