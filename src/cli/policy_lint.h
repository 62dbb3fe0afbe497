// `assume-spoke-role policy lint FILE…`: the trust-policy linter as a subcommand of `policy`.
// The `policy` command registers it on its own app; the rules live in the library
// (include/hubspoke/policy_lint.h), this is its thin client.
#pragma once

#include <memory>

#include "cli/command.h"

namespace hubspoke::cli {

// A Command whose Register(parent) adds a `lint` subcommand to `parent` (the `policy` app, not
// the root) with FILE… (`-` is stdin), --account, --org-id, --third-party and --json, and whose
// Execute lints every file: one line per finding on stdout, a summary on stderr; exit 1 when a
// finding is an error, 0 otherwise, 2 for bad input (a flag's value, an unreadable file).
// Execute is meaningful only when the `lint` subcommand was parsed.
std::unique_ptr<Command> MakePolicyLintCommand();

}  // namespace hubspoke::cli
