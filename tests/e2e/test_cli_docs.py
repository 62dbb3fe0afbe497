"""End to end: the man pages and shell completions are made from the flag table `--help` prints
(src/cli/cli_docs.h), so they cannot drift: every flag of every command's --help is in its man
page and in each shell's completion; the pages render without a groff warning; the bash
completion completes subcommands, flags, --format values and profile names; zsh and fish parse
their scripts.  `version --json` is one JSON document."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import e2e_support as es


def flags_of(help_text: str) -> set[str]:
    """The flags an --help lists (its Options: block)."""
    block = help_text.split("Options:", 1)[1].split("\n\n", 1)[0]
    flags = set()
    for line in block.splitlines():
        m = re.match(r"^\s{2}(-[\w-]+(?:,--[\w-]+)?)", line)
        if m:
            flags.update(m.group(1).split(","))
    return flags


def subcommands_of(help_text: str) -> list[str]:
    if "Subcommands:" not in help_text:
        return []
    block = help_text.split("Subcommands:", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"(?m)^  ([a-z][\w-]*)\s{2,}", block)


class CliDocsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-docs.")
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": cls.tmp, "LC_ALL": "C.UTF-8"}
        cls.man = os.path.join(cls.tmp, "man")
        os.mkdir(cls.man)
        ran = es.run([cls.bin, "__man-pages", cls.man], cls.env)
        assert ran.returncode == 0, ran.describe()
        # Every command, nested ones too: (path, --help text).
        cls.commands: list[tuple[list[str], str]] = []
        todo: list[list[str]] = [[]]
        while todo:
            path = todo.pop(0)
            text = es.run([cls.bin, *path, "--help"], cls.env).stdout
            cls.commands.append((path, text))
            todo.extend(path + [s] for s in subcommands_of(text))
        cls.scripts = {}
        for shell in ("bash", "zsh", "fish"):
            ran = es.run([cls.bin, "completion", shell], cls.env)
            assert ran.returncode == 0, ran.describe()
            cls.scripts[shell] = ran.stdout

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, top: str) -> str:
        name = "assume-spoke-role" + (f"-{top}" if top else "") + ".1"
        with open(os.path.join(self.man, name)) as f:
            return f.read()

    # -- man pages ----------------------------------------------------------------------------
    def test_one_page_per_command_with_every_flag_and_section(self) -> None:
        top_level = [p[0] for p, _ in self.commands if len(p) == 1]
        self.assertIn("run", top_level)
        self.assertEqual(sorted(os.listdir(self.man)),
                         sorted(["assume-spoke-role.1"] +
                                [f"assume-spoke-role-{t}.1" for t in top_level]))
        for path, text in self.commands:
            with self.subTest(command=" ".join(path)):
                roff = self.page(path[0] if path else "")
                for flag in flags_of(text):
                    self.assertIn(flag.replace("-", "\\-"), roff, f"{flag} missing from the page")
                for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT",
                                "FILES", '"EXIT STATUS"', "EXAMPLES", '"SEE ALSO"'):
                    self.assertRegex(roff, rf"(?m)^\.SH {re.escape(section)}$")

    def test_sections_say_what_the_help_says(self) -> None:
        run = self.page("run")
        # The footer's examples, exit statuses and variables, and the [env …] of each flag.
        self.assertIn("aws sts get\\-caller\\-identity", run)
        self.assertIn("128+N", run)
        self.assertIn("\\fBASSUME_ROLE_HUB_ACCOUNT\\fR\n\\-\\-hub\\-account", run)
        self.assertIn("~/.aws/config", run)
        self.assertIn(".SH SYNOPSIS\n.B assume\\-spoke\\-role run\n[\\fIOPTIONS\\fR] "
                      "\\fB\\-\\-\\fR \\fICOMMAND\\fR", run)
        policy = self.page("policy")
        self.assertIn(".SS policy lint", policy)
        root = self.page("")
        self.assertIn("\\fBassume\\-spoke\\-role\\-fanout\\fR(1)", root)

    def test_pages_render_without_warnings(self) -> None:
        if not shutil.which("man"):
            self.fail("man is not installed (scripts/setup installs man-db)")
        for name in sorted(os.listdir(self.man)):
            with self.subTest(page=name):
                ran = subprocess.run(
                    ["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z",
                     os.path.join(self.man, name)], capture_output=True, text=True, timeout=60,
                    env={**self.env, "MANROFFSEQ": "", "MANWIDTH": "80"})
                self.assertEqual(ran.returncode, 0, ran.stderr)
                self.assertEqual(ran.stderr, "")
                shown = subprocess.run(["man", "-l", "-P", "cat", os.path.join(self.man, name)],
                                       capture_output=True, text=True, timeout=60,
                                       env={**self.env, "MANWIDTH": "100"}).stdout
                self.assertNotIn("\\&", shown)
                self.assertNotIn("\\-", shown)

    # -- completions --------------------------------------------------------------------------
    def test_every_flag_and_subcommand_is_in_every_completion(self) -> None:
        for path, text in self.commands:
            for shell, script in self.scripts.items():
                with self.subTest(command=" ".join(path), shell=shell):
                    for flag in flags_of(text):
                        if shell == "fish":
                            needle = (f" -l {flag[2:]}" if flag.startswith("--")
                                      else f" -s {flag[1:]}")
                        else:
                            needle = flag
                        self.assertIn(needle, script)
                    for sub in subcommands_of(text):
                        self.assertIn(sub, script)

    def complete(self, *words: str, extra_env: dict | None = None) -> list[str]:
        """COMPREPLY of the bash completion for a command line whose last word is being typed."""
        script = os.path.join(self.tmp, "completion.bash")
        with open(script, "w") as f:
            f.write(self.scripts["bash"])
        line = " ".join(f"'{w}'" for w in ("assume-spoke-role", *words))
        program = (f"source {script}\n"
                   f"COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n"
                   "_assume_spoke_role\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
        env = {**self.env, "PATH": f"{os.path.dirname(self.bin)}:/usr/bin:/bin",
               **(extra_env or {})}
        ran = subprocess.run(["bash", "--norc", "--noprofile", "-c", program],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        return [w for w in ran.stdout.splitlines() if w]

    def test_bash_complete_p_after_sourcing(self) -> None:
        script = os.path.join(self.tmp, "c.bash")
        with open(script, "w") as f:
            f.write(self.scripts["bash"])
        ran = subprocess.run(["bash", "--norc", "-c", f"source {script}; complete -p "
                              "assume-spoke-role"], capture_output=True, text=True,
                             env=self.env, timeout=30)
        self.assertEqual(ran.stdout.strip(), "complete -F _assume_spoke_role assume-spoke-role")

    def test_bash_completes_subcommands_flags_and_values(self) -> None:
        top = [p[0] for p, _ in self.commands if len(p) == 1]
        self.assertEqual(self.complete(""), top)
        self.assertEqual(self.complete("fa"), ["fanout"])
        self.assertEqual(sorted(self.complete("run", "--spoke-")),
                         ["--spoke-account", "--spoke-external-id", "--spoke-role"])
        self.assertEqual(self.complete("credentials", "--format", ""),
                         ["env", "export", "json", "credential-process"])
        self.assertEqual(self.complete("credentials", "-f", "j"), ["json"])
        self.assertEqual(self.complete("policy", "hub", "--format", ""),
                         ["json", "terraform", "cloudformation"])
        self.assertIn("lint", self.complete("policy", ""))
        self.assertIn("--third-party", self.complete("policy", "lint", "--th"))
        self.assertEqual(self.complete("completion", ""), ["bash", "zsh", "fish"])
        # A flag's value is not taken for a subcommand: `--region run` stays at the top.
        self.assertEqual(self.complete("run", "--region", "fanout", "--hub-r"), ["--hub-role"])
        # After --: the child command, as a command name.
        self.assertIn("true", self.complete("run", "--spoke-account", "1", "--", "tru"))

    def test_bash_completes_profile_names_from_the_config_files(self) -> None:
        config = os.path.join(self.tmp, "config")
        credentials = os.path.join(self.tmp, "credentials")
        with open(config, "w") as f:
            f.write("[default]\nregion = us-east-1\n[profile sso-admin]\nsso_session = corp\n"
                    "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\n"
                    "sso_region = us-east-1\n[profile ci]\nregion = eu-west-1\n")
        with open(credentials, "w") as f:
            f.write("[from-keys]\naws_access_key_id = AKIAEXAMPLE\n"
                    "aws_secret_access_key = notreallysecretnotreallysecret\n")
        env = {"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials}
        self.assertEqual(sorted(self.complete("run", "--profile", "", extra_env=env)),
                         ["ci", "default", "from-keys", "sso-admin"])
        self.assertEqual(self.complete("whoami", "--profile", "s", extra_env=env), ["sso-admin"])
        # A name is data: completing it never runs what it says (our parser refuses such names
        # as the SDKs do, and the completion filters names itself rather than through
        # `compgen -W`, which would expand them).
        marker = os.path.join(self.tmp, "pwned")
        with open(config, "a") as f:
            f.write(f"[profile $(touch${{IFS}}{marker})]\nregion = us-east-1\n"
                    f"[profile `touch${{IFS}}{marker}`]\nregion = us-east-1\n")
        offered = self.complete("run", "--profile", "", extra_env=env)
        self.assertEqual(sorted(offered), ["ci", "default", "from-keys", "sso-admin"])
        self.assertFalse(os.path.exists(marker))
        names = es.run([self.bin, "profiles", "--names"], {**self.env, **env})
        self.assertEqual(names.returncode, 0, names.describe())
        self.assertNotIn("notreally", names.stdout + names.stderr)

    def test_zsh_and_fish_parse_their_scripts(self) -> None:
        for shell, name in (("zsh", "_assume-spoke-role"), ("fish", "assume-spoke-role.fish")):
            with self.subTest(shell=shell):
                exe = shutil.which(shell)
                if not exe:
                    self.fail(f"{shell} is not installed (scripts/setup installs it)")
                path = os.path.join(self.tmp, name)
                with open(path, "w") as f:
                    f.write(self.scripts[shell])
                ran = subprocess.run([exe, "-n", path], capture_output=True, text=True,
                                     env=self.env, timeout=30)
                self.assertEqual(ran.returncode, 0, ran.stderr)
                self.assertEqual(ran.stderr, "")
        # fish, loaded for real, offers the subcommands and the --format values.
        fish = shutil.which("fish")
        path = os.path.join(self.tmp, "assume-spoke-role.fish")
        ran = subprocess.run(
            [fish, "--no-config", "-c",
             f"source {path}; complete -C 'assume-spoke-role cred'; "
             f"complete -C 'assume-spoke-role credentials --format '"],
            capture_output=True, text=True, env=self.env, timeout=30)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertRegex(ran.stdout, r"(?m)^credentials\t")
        for value in ("env", "export", "json", "credential-process"):
            self.assertRegex(ran.stdout, rf"(?m)^{value}\b")

    def test_unknown_shell_is_bad_input(self) -> None:
        ran = es.run([self.bin, "completion", "tcsh"], self.env)
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertEqual(ran.stderr.strip(),
                         "assume-spoke-role: error: completion: tcsh: must be bash, zsh or fish")

    def test_version_json_is_one_document(self) -> None:
        ran = es.run([self.bin, "version", "--json"], self.env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        doc = json.loads(ran.stdout)
        self.assertEqual(set(doc), {"version", "commit", "build_date", "openssl",
                                    "openssl_built", "openssl_library"})
        self.assertRegex(doc["build_date"], r"^\d{4}-\d\d-\d\d$")
        self.assertTrue(doc["openssl"].startswith("OpenSSL 3."))


if __name__ == "__main__":
    unittest.main()
