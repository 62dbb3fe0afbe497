// `assume-spoke-role version [--json]` (and `--version`): what this binary is, for bug reports.
#include "cli/version_text.h"

#include <cstdio>

#include "cli/command.h"
#include "core/json.h"
#include "hubspoke/version.h"

namespace hubspoke::cli {

std::string VersionText() {
  BuildInfo info = GetBuildInfo();
  std::string text = "assume-spoke-role " + info.version + "\n";
  text += "commit:  " + info.git_commit + "\n";
  text += "built:   " + info.build_date + "\n";
  // The OpenSSL that runs is the one that matters for security fixes: name it and its file.
  text += "OpenSSL: " + info.openssl_linked + " (" +
          (info.openssl_library.empty() ? std::string("linked into the binary")
                                        : "shared, " + info.openssl_library) +
          ")";
  if (info.openssl_built != info.openssl_linked) {
    text += "; built against " + info.openssl_built;
  }
  return text;
}

namespace {

class VersionCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    CLI::App* app = root.add_subcommand(
        "version", "Print the version, git commit, build date and the OpenSSL linked");
    app->add_flag("--json", json_,
                  "Print JSON: version, commit, build_date, openssl, openssl_built, "
                  "openssl_library (null when OpenSSL is linked into the binary)");
    app->footer(R"(
Examples:
  assume-spoke-role version
  assume-spoke-role --version
  assume-spoke-role version --json

Exit status:
  0 always, unless the flags are wrong (2).)");
    return app;
  }
  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      std::fprintf(stderr, "assume-spoke-role: error: version takes no command after --\n");
      return 2;
    }
    if (!json_) {
      std::printf("%s\n", VersionText().c_str());
      return 0;
    }
    BuildInfo info = GetBuildInfo();
    std::printf("{\"version\": %s, \"commit\": %s, \"build_date\": %s, \"openssl\": %s, "
                "\"openssl_built\": %s, \"openssl_library\": %s}\n",
                JsonQuote(info.version).c_str(), JsonQuote(info.git_commit).c_str(),
                JsonQuote(info.build_date).c_str(), JsonQuote(info.openssl_linked).c_str(),
                JsonQuote(info.openssl_built).c_str(),
                info.openssl_library.empty() ? "null" : JsonQuote(info.openssl_library).c_str());
    return 0;
  }

 private:
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeVersionCommand() { return std::make_unique<VersionCommand>(); }

}  // namespace hubspoke::cli
