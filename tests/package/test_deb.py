"""The Debian package, as a user gets it: scripts/package (CPack, then lintian: no errors) on the
test build, its contents and control fields checked with dpkg-deb, then installed with dpkg -i on
this machine: `assume-spoke-role demo` runs from /usr/bin, every man page renders without a
warning, the bash completion loads from where bash-completion looks; then the package is removed
and nothing of it stays.

Needs root (or passwordless sudo) for dpkg; refuses to touch a machine where the package is
already installed from elsewhere.
  HUBSPOKE_BUILD_DIR   the configured and built tree to package (default: <repo>/build)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import e2e_support as es  # noqa: E402

BUILD = os.path.abspath(os.environ.get("HUBSPOKE_BUILD_DIR") or os.path.join(es.REPO, "build"))
PACKAGE = "assume-spoke-role"


def sh(args: list[str], env: dict | None = None, timeout: float = 600,
       check: bool = True) -> subprocess.CompletedProcess:
    ran = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check and ran.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {ran.returncode}:\n{ran.stdout[-4000:]}\n"
                             f"{ran.stderr[-4000:]}")
    return ran


def as_root() -> list[str]:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    raise AssertionError("installing the .deb needs root or passwordless sudo")


def installed() -> bool:
    ran = sh(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check=False)
    return ran.returncode == 0 and "install ok installed" in ran.stdout


class DebianPackageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.sudo = as_root()
        if installed():
            raise AssertionError(f"{PACKAGE} is already installed on this machine: the test "
                                 "installs and removes its own; remove it first")
        env = dict(os.environ, HUBSPOKE_PACKAGE_NO_BUILD="1")
        ran = sh([os.path.join(es.REPO, "scripts", "package"), BUILD], env)
        cls.package_log = ran.stderr
        cls.deb = ran.stdout.strip().splitlines()[-1]
        assert os.path.isfile(cls.deb), cls.deb
        cls.tmp = tempfile.mkdtemp(prefix="package-deb.")

    @classmethod
    def tearDownClass(cls) -> None:
        if installed():
            sh([*cls.sudo, "dpkg", "-r", PACKAGE], check=False)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_lintian_reports_no_error(self) -> None:
        # scripts/package ran lintian --fail-on error; its report is in the log.
        self.assertIn("== lintian", self.package_log)
        self.assertNotRegex(self.package_log, r"(?m)^E: ")

    def test_contents_and_control(self) -> None:
        listing = sh(["dpkg-deb", "-c", self.deb]).stdout
        paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
        expected = {
            "/usr/bin/assume-spoke-role",
            "/usr/share/man/man1/assume-spoke-role.1.gz",
            "/usr/share/bash-completion/completions/assume-spoke-role",
            "/usr/share/zsh/vendor-completions/_assume-spoke-role",
            "/usr/share/fish/vendor_completions.d/assume-spoke-role.fish",
            "/usr/share/doc/assume-spoke-role/copyright",
            "/usr/share/doc/assume-spoke-role/changelog.gz",
        }
        self.assertLessEqual(expected, paths)
        # One man page per visible subcommand, from the same table as --help.
        help_text = sh([es.binary_path(), "--help"]).stdout
        subcommands = re.findall(r"(?m)^  ([a-z]+)\s{2,}", help_text.split("Subcommands:")[1])
        self.assertIn("run", subcommands)
        for sub in subcommands:
            self.assertIn(f"/usr/share/man/man1/assume-spoke-role-{sub}.1.gz", paths)
        # Only the tool: no library, no headers, nothing under /usr/local or /opt.
        for path in paths:
            self.assertFalse(path.startswith(("/usr/local", "/opt", "/usr/include")), path)
            self.assertNotIn("libhubspoke", path)
        # Root-owned, no file writable by others.
        for line in listing.splitlines():
            mode, owner = line.split()[:2]
            self.assertEqual(owner, "root/root", line)
            self.assertNotEqual(mode[8], "w", line)
        control = sh(["dpkg-deb", "-f", self.deb, "Package", "Version", "Depends"]).stdout
        self.assertIn(f"Package: {PACKAGE}", control)
        # Dependencies come from the shared libraries it links: the system's OpenSSL.
        self.assertRegex(control, r"Depends: .*libssl3")
        self.assertRegex(control, r"Depends: .*libc6")

    def test_install_run_read_and_remove(self) -> None:
        sh([*self.sudo, "dpkg", "-i", self.deb])
        try:
            self.assertTrue(installed())
            tool = "/usr/bin/assume-spoke-role"
            ldd = sh(["ldd", tool]).stdout
            self.assertRegex(ldd, r"libssl\.so\.3 => /\S+")  # the system's, shared
            home = os.path.join(self.tmp, "home")
            os.makedirs(home, 0o700, exist_ok=True)
            env = {"PATH": "/usr/bin:/bin", "HOME": home, "LC_ALL": "C.UTF-8"}
            demo = sh([tool, "demo", "--no-aws-cli"], env, timeout=120)
            self.assertRegex(demo.stdout + demo.stderr, r"arn:aws:sts::\d{12}:assumed-role/")
            version = sh([tool, "version"], env).stdout
            self.assertRegex(version, r"OpenSSL: OpenSSL 3\.\S+ .*\(shared, /\S*libcrypto\.so\.3\)")
            # Every page renders, and groff has nothing to say about any of them (lintian's own
            # check, man --warnings).
            man_dir = "/usr/share/man/man1"
            pages = sorted(p for p in os.listdir(man_dir) if p.startswith("assume-spoke-role"))
            self.assertGreaterEqual(len(pages), 10)
            for page in pages:
                with self.subTest(page=page):
                    ran = subprocess.run(
                        ["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z",
                         os.path.join(man_dir, page)],
                        capture_output=True, text=True, timeout=60,
                        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "MANROFFSEQ": "",
                             "MANWIDTH": "80"})
                    self.assertEqual(ran.returncode, 0, ran.stderr)
                    self.assertEqual(ran.stderr, "")
            # `man assume-spoke-role run`-style lookup through the installed database.
            text = sh(["man", "-P", "cat", "assume-spoke-role-run"],
                      {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "MANWIDTH": "100"}).stdout
            self.assertIn("--spoke-account", text)
            self.assertIn("EXIT STATUS", text)
            # The completion bash-completion would load, from its installed place.
            comp = sh(["bash", "-c",
                       "source /usr/share/bash-completion/completions/assume-spoke-role && "
                       "complete -p assume-spoke-role"], env).stdout
            self.assertIn("-F _assume_spoke_role assume-spoke-role", comp)
        finally:
            sh([*self.sudo, "dpkg", "-r", PACKAGE])
        self.assertFalse(installed())
        self.assertFalse(os.path.exists("/usr/bin/assume-spoke-role"))
        self.assertFalse(os.path.exists("/usr/share/man/man1/assume-spoke-role.1.gz"))


if __name__ == "__main__":
    unittest.main()
