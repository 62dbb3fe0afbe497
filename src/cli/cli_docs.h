// Man pages and shell completions, made from the CLI11 app tree that `--help` prints: one table of
// subcommands and flags, so the three cannot drift. The build runs the binary to write them
// (`assume-spoke-role completion SHELL`, the hidden `__man-pages DIR`; cmake/HubspokeInstall.cmake).
//
// What the tree does not say by itself, it says in conventions `--help` shows too:
// - an option's type name `{a,b,c}` (or CLI11's `TEXT:{a,b,c}` from IsMember) lists its values;
// - `FILE` / `DIR` complete file or directory names; `--profile` completes the profile names of
//   the shared config files (`assume-spoke-role profiles --names`);
// - "[env NAME]" in a flag's help is the variable that stands in for it (ENVIRONMENT);
// - a footer's "Examples:", "Environment:", "Exit status:" and "Files:" paragraphs become the man
//   page's sections of those names; other paragraphs are its DESCRIPTION.
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

namespace hubspoke::cli {

// Every man page, file name ("assume-spoke-role-run.1") → roff text: assume-spoke-role(1) and one
// per visible subcommand. `date` and `version` go into the page headers.
std::map<std::string, std::string> ManPages(const CLI::App& root, const std::string& date,
                                            const std::string& version);

// The completion script for "bash", "zsh" or "fish"; empty for another shell.
std::string CompletionScript(const CLI::App& root, const std::string& shell);

}  // namespace hubspoke::cli
