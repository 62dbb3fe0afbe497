// `assume-spoke-role cache clear|path`: the on-disk hub session cache of `--cache`.
#include <cstdio>

#include "cli/command.h"
#include "hubspoke/hub_session_file_cache.h"
#include "hubspoke/system.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kCacheHelp = R"HELP(
`run --cache` and `credentials --cache` save the hub session (mode 0600, in a 0700 directory:
$XDG_RUNTIME_DIR/assume-spoke-role, else $XDG_CACHE_HOME/assume-spoke-role, else
~/.cache/assume-spoke-role) and reuse it until 5 minutes before it expires.

Examples:
  assume-spoke-role cache path     # where the cache lives
  assume-spoke-role cache clear    # forget every saved hub session (e.g. after a key rotation)
)HELP";

class CacheCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("cache", "Show or clear the hub session cache of --cache");
    clear_ = app_->add_subcommand("clear", "Remove every saved hub session");
    path_ = app_->add_subcommand("path", "Print the cache directory");
    app_->require_subcommand(1);
    app_->footer(kCacheHelp);
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "cache takes no command after --"));
    }
    RealSystem system(LogLevel::kWarning);
    SystemContext sys = system.context();
    auto directory = DefaultHubSessionFileCacheDirectory(sys.env);
    if (!directory) return ReportError(directory.error());
    if (path_->parsed()) {
      std::printf("%s\n", directory->c_str());
      return 0;
    }
    HubSessionFileCache cache(*directory, sys.clock, sys.log, sys.files);
    auto removed = cache.Clear();
    if (!removed) return ReportError(removed.error());
    std::printf("removed %d cached hub session%s from %s\n", *removed, *removed == 1 ? "" : "s",
                directory->c_str());
    return 0;
  }

 private:
  CLI::App* app_ = nullptr;
  CLI::App* clear_ = nullptr;
  CLI::App* path_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> MakeCacheCommand() { return std::make_unique<CacheCommand>(); }

}  // namespace hubspoke::cli
