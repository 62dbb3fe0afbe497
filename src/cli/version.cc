#include <cstdio>

#include "cli/command.h"

namespace hubspoke::cli {
namespace {

class VersionCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    return root.add_subcommand("version", "Print the version");
  }
  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      std::fprintf(stderr, "assume-spoke-role: error: version takes no command after --\n");
      return 2;
    }
    std::printf("assume-spoke-role %s\n", HUBSPOKE_VERSION);
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> MakeVersionCommand() { return std::make_unique<VersionCommand>(); }

}  // namespace hubspoke::cli
