"""End to end: `assume-spoke-role console` against the lab's federation endpoint
(getSigninToken, then the login URL followed to its 302), --print, a fake xdg-open, the
partition's sign-in host, and the input checks that come before any request."""

from __future__ import annotations

import os
import stat
import urllib.error
import urllib.parse
import urllib.request

import e2e_support as es
from test_lab_clients import LAB_CHAIN_ENV, LabTestCase, SPOKE, USER_SECRET

SPOKE_ARN = es.spoke_arn(SPOKE)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def follow_once(url: str) -> tuple[int, str | None]:
    """The status and Location of one GET, without following a redirect."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


class ConsoleTest(LabTestCase):
    tmp_prefix = "e2e-console."

    def env(self, **extra: str | None) -> dict[str, str]:
        values: dict[str, str | None] = {
            **LAB_CHAIN_ENV,
            "ASSUME_ROLE_FEDERATION_URL": self.lab.url + "/federation"}
        values.update(extra)
        return es.base_env(self.home, self.lab.url, "AKIALABEXAMPLE000001", USER_SECRET,
                           region="eu-west-1", **values)

    def console(self, *args: str, env: dict[str, str] | None = None) -> es.Ran:
        return es.run([self.bin, "console", "--spoke-account", SPOKE, *args],
                      env if env is not None else self.env())

    def printed_url(self, *args: str) -> tuple[str, dict[str, str]]:
        ran = self.console("--print", *args)
        self.assertEqual(ran.returncode, 0, ran.describe())
        lines = ran.stdout.splitlines()
        self.assertEqual(len(lines), 1, ran.describe())
        url = lines[0]
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query, strict_parsing=True))
        return url, query

    def assertNoLeak(self, text: str, *secrets: str) -> None:
        for s in ("SigninToken", "sessionKey", "sessionToken", "IQoJb3JpZ2lu", USER_SECRET,
                  *secrets):
            self.assertNotIn(s, text)

    # -- the sign-in -------------------------------------------------------------------------
    def test_print_gives_a_login_url_the_lab_accepts(self) -> None:
        url, query = self.printed_url()
        parts = urllib.parse.urlsplit(url)
        lab = urllib.parse.urlsplit(self.lab.url)
        self.assertEqual((parts.scheme, parts.netloc, parts.path),
                         (lab.scheme, lab.netloc, "/federation"))
        self.assertEqual(query["Action"], "login")
        self.assertEqual(query["Issuer"], "assume-spoke-role")
        self.assertEqual(query["Destination"], "https://console.aws.amazon.com/?region=eu-west-1")
        self.assertEqual(set(query), {"Action", "Issuer", "Destination", "SigninToken"})
        status, location = follow_once(url)
        self.assertEqual((status, location), (302, query["Destination"]))
        # The lab signed in the spoke session, not the hub's or the user's.
        self.assertIn(f"console login as arn:aws:iam::{SPOKE}:role/automation-spoke-role",
                      self.lab.log_with("console login as"))

    def test_destination_flag_and_a_forged_token(self) -> None:
        dest = "https://console.aws.amazon.com/s3/home?region=eu-west-1#"[:-1]
        url, query = self.printed_url("--destination", dest)
        self.assertEqual(query["Destination"], dest)
        self.assertEqual(follow_once(url), (302, dest))
        token = query["SigninToken"]
        # Its MAC's last two characters changed (to ones they are not: "AA" 1 time in 1,024).
        forged = dict(query, SigninToken=token[:-2] + ("BB" if token.endswith("AA") else "AA"))
        bad = self.lab.url + "/federation?" + urllib.parse.urlencode(forged)
        self.assertEqual(follow_once(bad)[0], 400)
        expired_session = dict(query, SigninToken="x")
        self.assertEqual(
            follow_once(self.lab.url + "/federation?" + urllib.parse.urlencode(expired_session))[0],
            400)

    def test_lab_refuses_long_term_keys_and_session_duration(self) -> None:
        session = ('{"sessionId":"AKIALABEXAMPLE000001","sessionKey":"' + USER_SECRET +
                   '","sessionToken":""}')
        q = urllib.parse.urlencode({"Action": "getSigninToken", "Session": session})
        self.assertEqual(follow_once(self.lab.url + "/federation?" + q)[0], 400)
        q = urllib.parse.urlencode({"Action": "getSigninToken", "Session": "{}",
                                    "SessionDuration": "3600"})
        self.assertEqual(follow_once(self.lab.url + "/federation?" + q)[0], 400)

    def test_verbose_logs_no_secret(self) -> None:
        ran = self.console("--print", "--verbose")
        self.assertEqual(ran.returncode, 0, ran.describe())
        url = ran.stdout.strip()
        token = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["SigninToken"]
        self.assertIn("console: signing in as " + SPOKE_ARN, ran.stderr)
        self.assertNoLeak(ran.stderr, url, token, urllib.parse.quote(token, safe=""))

    def test_fake_xdg_open_gets_the_url(self) -> None:
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)
        record = os.path.join(self.tmp, "xdg-open.argv")
        script = os.path.join(bindir, "xdg-open")
        with open(script, "w") as f:
            f.write("#!/bin/sh\numask 077\nprintf '%s\\n' \"$@\" > " + record + "\n"
                    "env > " + record + ".env\n")
        os.chmod(script, 0o700)
        env = self.env(PATH=bindir + ":" + es.hermetic_path())
        ran = self.console("--verbose", env=env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(ran.stdout, "")
        self.assertEqual(stat.S_IMODE(os.stat(record).st_mode), 0o600)
        with open(record) as f:
            argv = f.read().splitlines()
        self.assertEqual(len(argv), 1, argv)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(argv[0]).query))
        self.assertEqual(query["Action"], "login")
        self.assertEqual(follow_once(argv[0])[0], 302)
        self.assertNoLeak(ran.stderr, argv[0], query["SigninToken"])
        # The browser gets the URL, not our AWS identity: no key, token, external id or other
        # chain setting in its environment.
        with open(record + ".env") as f:
            names = {line.split("=", 1)[0] for line in f.read().splitlines() if "=" in line}
        self.assertIn("PATH", names)
        self.assertEqual(sorted(n for n in names if n.startswith(("AWS_", "ASSUME_ROLE_"))), [])

    def test_no_opener_suggests_print_before_any_request(self) -> None:
        empty = os.path.join(self.tmp, "empty-bin")
        os.makedirs(empty, exist_ok=True)
        closed = f"http://127.0.0.1:{es.free_closed_port()}"
        ran = self.console(env=self.env(PATH=empty, AWS_ENDPOINT_URL=closed))
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("xdg-open", ran.stderr)
        self.assertIn("--print", ran.stderr)
        self.assertNotIn("Connection refused", ran.stderr)
        self.assertNotIn("connect", ran.stderr.lower())

    # -- partitions and input ----------------------------------------------------------------
    def test_partition_picks_the_signin_host(self) -> None:
        # No federation override: the us-gov endpoint is chosen before the chain runs (and the
        # chain then fails at the lab, whose roles are in partition aws).
        env = self.env(ASSUME_ROLE_FEDERATION_URL=None, AWS_REGION="us-gov-west-1")
        ran = self.console("--print", "--verbose", env=env)
        self.assertIn("console: federation endpoint https://signin.amazonaws-us-gov.com/federation,"
                      " destination https://console.amazonaws-us-gov.com/?region=us-gov-west-1",
                      ran.stderr)
        env = self.env(ASSUME_ROLE_FEDERATION_URL=None, AWS_REGION="cn-north-1")
        ran = self.console("--print", "--verbose", env=env)
        self.assertIn("console: federation endpoint https://signin.amazonaws.cn/federation",
                      ran.stderr)

    def test_bad_input_exits_2_before_any_request(self) -> None:
        closed = f"http://127.0.0.1:{es.free_closed_port()}"
        cases = [
            (("--destination", "http://console.aws.amazon.com/"), "--destination"),
            (("--destination", "javascript:alert(1)"), "--destination"),
            (("--destination", ""), "--destination"),
            (("--federation-url", "http://example.com/federation"), "--federation-url"),
            (("--federation-url", "https://signin.example/federation?x=1"), "--federation-url"),
        ]
        for args, flag in cases:
            with self.subTest(args=args):
                ran = self.console("--print", *args, env=self.env(AWS_ENDPOINT_URL=closed))
                self.assertEqual(ran.returncode, 2, ran.describe())
                lines = ran.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, ran.describe())
                self.assertTrue(lines[0].startswith(f"assume-spoke-role: error: {flag}: "),
                                ran.describe())
        ran = self.console("--print", env=self.env(ASSUME_ROLE_FEDERATION_URL="ftp://x/",
                                                   AWS_ENDPOINT_URL=closed))
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertIn("ASSUME_ROLE_FEDERATION_URL: ftp://x/", ran.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
