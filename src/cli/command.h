// One subcommand per file; main dispatches through a table of these.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hubspoke/result.h"

namespace hubspoke::cli {

// What main hands to the chosen command.
struct Invocation {
  std::vector<std::string> child_argv;  // everything after "--"
  bool saw_double_dash = false;
  const CLI::App* root = nullptr;  // the whole table of subcommands and flags (completion, man)
};

class Command {
 public:
  virtual ~Command() = default;
  // Registers the subcommand and its flags on the root app.
  virtual CLI::App* Register(CLI::App& root) = 0;
  // Runs it; returns the process exit status. Errors are printed by the command.
  virtual int Execute(const Invocation& invocation) = 0;
};

std::unique_ptr<Command> MakeRunCommand();
std::unique_ptr<Command> MakeCredentialsCommand();
std::unique_ptr<Command> MakeVersionCommand();
std::unique_ptr<Command> MakeLabCommand();   // src/cli/lab.cc
std::unique_ptr<Command> MakeDemoCommand();  // src/cli/demo.cc
std::unique_ptr<Command> MakeWhoamiCommand();    // src/cli/whoami.cc
std::unique_ptr<Command> MakeProfilesCommand();  // src/cli/profiles.cc
std::unique_ptr<Command> MakeCacheCommand();     // src/cli/cache.cc
std::unique_ptr<Command> MakeFanoutCommand();    // src/cli/fanout.cc
std::unique_ptr<Command> MakePolicyCommand();    // src/cli/policy.cc
std::unique_ptr<Command> MakeExplainCommand();   // src/cli/explain.cc
std::unique_ptr<Command> MakeCompletionCommand();  // src/cli/completion.cc
std::unique_ptr<Command> MakeManPagesCommand();    // src/cli/completion.cc (hidden)
std::unique_ptr<Command> MakeConsoleCommand();   // src/cli/console.cc

// Prints "assume-spoke-role: error: <message> — <hint>" and returns the exit status for it:
// 2 for bad input (kInvalidArgument), 1 otherwise.
int ReportError(const Error& error);

// The child command checked before any STS call (hubspoke::FindCommand, on our PATH, as it will
// be run): 0 when it can run; else the error is printed and the status returned, 2 for an empty
// command, 127 when it is not found, 126 when it cannot be run (as shells say).
int CheckChildCommand(const std::string& subcommand, const std::vector<std::string>& argv,
                      const std::optional<std::string>& path_env);

}  // namespace hubspoke::cli
