"""The install routes of issue 16, as a library user takes them: `cmake --install` of the test
build into a temporary prefix, then the examples built against that prefix with
find_package(hubspoke) (the shared and the static library) and with pkg-config, and run against
the lab.  Nothing is installed outside the temporary directory.

  HUBSPOKE_BUILD_DIR      the configured and built tree to install (default: <repo>/build)
  ASSUME_SPOKE_ROLE_BIN   the CLI (the lab)
"""

from __future__ import annotations

import glob
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
from test_lab_clients import EXTERNAL_ID, HUB, SPOKE, USER_KEY, USER_SECRET, Lab  # noqa: E402

BUILD = os.path.abspath(os.environ.get("HUBSPOKE_BUILD_DIR") or os.path.join(es.REPO, "build"))


def sh(args: list[str], env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    ran = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if ran.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {ran.returncode}:\n{ran.stdout[-3000:]}\n"
                             f"{ran.stderr[-3000:]}")
    return ran


def cache_value(name: str) -> str:
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return ""


class InstallTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        if not os.path.isfile(os.path.join(BUILD, "CMakeCache.txt")):
            raise AssertionError(f"no configured build at {BUILD} (set HUBSPOKE_BUILD_DIR)")
        cls.tmp = tempfile.mkdtemp(prefix="package-install.")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        sh(["cmake", "--install", BUILD, "--prefix", cls.prefix])
        libdirs = glob.glob(os.path.join(cls.prefix, "lib*", "**", "libhubspoke.so"),
                            recursive=True)
        assert len(libdirs) == 1, libdirs
        cls.libdir = os.path.dirname(libdirs[0])
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        cls.lab = Lab(cls.bin, cls.tmp)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- what is installed ---------------------------------------------------------------------
    def test_the_prefix_holds_the_tool_the_library_and_its_descriptions(self) -> None:
        p = self.prefix
        self.assertTrue(os.access(os.path.join(p, "bin", "assume-spoke-role"), os.X_OK))
        version = cache_value("CMAKE_PROJECT_VERSION")
        major, minor, _ = version.split(".")
        so = os.path.join(self.libdir, "libhubspoke.so")
        # The versioned SONAME chain: .so → .so.0.1 → .so.0.1.0
        self.assertEqual(os.readlink(so), f"libhubspoke.so.{major}.{minor}")
        self.assertEqual(os.readlink(f"{so}.{major}.{minor}"), f"libhubspoke.so.{version}")
        dyn = sh(["objdump", "-p", f"{so}.{version}"]).stdout
        self.assertRegex(dyn, rf"SONAME\s+libhubspoke\.so\.{major}\.{minor}\n")
        self.assertRegex(dyn, r"NEEDED\s+libssl\.so\.3")
        self.assertTrue(os.path.isfile(os.path.join(self.libdir, "libhubspoke.a")))
        # Every public header, and nothing that is not one.
        ours = sorted(os.listdir(os.path.join(es.REPO, "include", "hubspoke")))
        self.assertEqual(sorted(os.listdir(os.path.join(p, "include", "hubspoke"))), ours)
        cmake_dir = os.path.join(self.libdir, "cmake", "hubspoke")
        for name in ("hubspokeConfig.cmake", "hubspokeConfigVersion.cmake",
                     "hubspokeTargets.cmake"):
            self.assertTrue(os.path.isfile(os.path.join(cmake_dir, name)), name)
        pc = os.path.join(self.libdir, "pkgconfig", "hubspoke.pc")
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
        self.assertEqual(sh(["pkg-config", "--modversion", "hubspoke"], env).stdout.strip(),
                         version)
        # The .pc file finds its prefix from where it is, not from the configured one.
        self.assertEqual(os.path.realpath(sh(["pkg-config", "--variable=libdir", "hubspoke"],
                                             env).stdout.strip()),
                         os.path.realpath(self.libdir))
        man = os.path.join(p, "share", "man", "man1")
        self.assertIn("assume-spoke-role.1.gz", os.listdir(man))
        self.assertIn("assume-spoke-role-run.1.gz", os.listdir(man))
        self.assertTrue(os.path.isfile(os.path.join(
            p, "share", "bash-completion", "completions", "assume-spoke-role")))
        # The installed tool says which OpenSSL it runs on.
        out = sh([os.path.join(p, "bin", "assume-spoke-role"), "version"]).stdout
        self.assertRegex(out, rf"^assume-spoke-role {re.escape(version)}\ncommit: +\S+\n"
                              r"built: +\d{4}-\d\d-\d\d\nOpenSSL: OpenSSL 3\.")

    # -- the examples, built as a user would -------------------------------------------------
    def run_example(self, example: str) -> None:
        env = es.base_env(self.home, self.lab.url, USER_KEY, USER_SECRET)
        ran = es.run([example, HUB, SPOKE, "automation-hub-role", "automation-spoke-role",
                      EXTERNAL_ID], env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertIn(f"ASSUMED_ROLE_ARN=arn:aws:sts::{SPOKE}:assumed-role/automation-spoke-role/",
                      ran.stdout)
        self.assertRegex(ran.stdout, r"(?m)^AWS_ACCESS_KEY_ID=ASIA[A-Z0-9]{12,}$")

    def linked_hubspoke(self, binary: str) -> str:
        ldd = sh(["ldd", binary]).stdout
        m = re.search(r"libhubspoke\.so\S* => (\S+)", ldd)
        return m.group(1) if m else ""

    def test_find_package_shared_and_static(self) -> None:
        for static in ("OFF", "ON"):
            with self.subTest(static=static):
                out = os.path.join(self.tmp, f"examples-cmake-{static}")
                sh(["cmake", "-S", os.path.join(es.REPO, "examples"), "-B", out,
                    f"-DCMAKE_PREFIX_PATH={self.prefix}", f"-DHUBSPOKE_EXAMPLES_STATIC={static}"])
                sh(["cmake", "--build", out, "-j2"])
                for name in ("spoke_credentials_example", "for_each_spoke_example"):
                    self.assertTrue(os.access(os.path.join(out, name), os.X_OK), name)
                example = os.path.join(out, "spoke_credentials_example")
                linked = self.linked_hubspoke(example)
                if static == "OFF":
                    # The installed library, found through the build's RPATH.
                    self.assertEqual(os.path.dirname(os.path.realpath(linked)),
                                     os.path.realpath(self.libdir))
                else:
                    self.assertEqual(linked, "")
                self.run_example(example)

    def test_pkg_config(self) -> None:
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.libdir, "pkgconfig"))
        flags = sh(["pkg-config", "--cflags", "--libs", "hubspoke"], env).stdout.split()
        self.assertIn("-std=c++20", flags)
        example = os.path.join(self.tmp, "spoke_credentials_pkgconfig")
        sh(["g++", os.path.join(es.REPO, "examples", "spoke_credentials.cc"), "-o", example,
            *flags, f"-Wl,-rpath,{self.libdir}"])
        self.assertEqual(os.path.dirname(os.path.realpath(self.linked_hubspoke(example))),
                         os.path.realpath(self.libdir))
        self.run_example(example)


if __name__ == "__main__":
    unittest.main()
