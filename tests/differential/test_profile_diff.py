"""Differential check: our shared config/credentials parser (ParseProfileFile, hubspoke/profile.h)
against botocore's (configloader.raw_config_parse, and build_profile_map for the config file) on
random files from a seed.

HUBSPOKE_DIFF_SEED picks the seed (default: the clock, printed), HUBSPOKE_DIFF_COUNT the number of
files (default 1500). A mismatch prints the smallest failing file.

botocore reads the files with Python's configparser; we follow the cross-SDK profile-file suite
(smithy-rs, the Java SDK). The generator draws from everything the two dialects share: [default],
[profile NAME], [sso-session NAME], [services NAME], other sections, names with every character
the suite allows but ':', keys in any case, '=' with or without blanks, values with '=', '#' and
';' not after a blank, unicode, continuation lines, sub-properties (`s3 =` then indented
`k = v`, comment characters kept in both), full-line '#' and ';' comments anywhere (even between
a property and its continuation lines), headers followed by a comment, blank lines, tabs, CRLF.
Where the dialects differ, ExpectedDifferences pins the difference, each with its reason:
- an inline comment after a value ("v # note"): configparser has no inline comments by default,
  botocore keeps " # note"; the suite strips it;
- a repeated section or key in one file: configparser (strict) raises, botocore reports a parse
  error; the suite merges sections and lets the later key win;
- [default] and [profile default] in one file: botocore takes whichever comes later, the suite
  always [profile default];
- "key: value": configparser accepts ':' as a delimiter (so a key cannot contain ':'), the suite
  only '=' (and allows ':' in names);
- an indented line starting with '#' or ';' after a property: configparser drops it as a comment,
  the suite keeps it as part of the value;
- a blank line inside a continued value: configparser keeps it, the suite drops it;
- a key that is not a valid identifier ("my key", unicode): botocore keeps it, the suite ignores
  it; in the credentials file, a section name that is not ("[profile foo]") likewise;
- [DEFAULT] (upper case): configparser's defaults section, inherited by every section; for the
  suite an ordinary section name (ignored in the config file);
- an indented "k = v" right after a header: configparser reads a property, the suite reports a
  continuation line with nothing to continue;
- sub-property keys: botocore keeps their case, the suite lower-cases them as it does keys.
"""
import json
import os
import string
import sys
import tempfile
import unittest

import botocore.configloader
import botocore.exceptions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_support  # noqa: E402

DRIVER_ENV = "HUBSPOKE_PROFILE_DIFF_DRIVER"
NAME_CHARS = string.ascii_letters + string.digits + "_-/.%@+"  # the suite's, but ':'
VALUE_CHARS = string.ascii_letters + string.digits + "=#;:/+.,-_\"'[]{}()éü中文ሴ😀"


def random_text(r, alphabet, low, high):
    return "".join(r.choice(alphabet) for _ in range(r.randint(low, high)))


def random_value(r):
    """Words joined by blanks; a word never starts with '#' or ';' (that would be a comment)."""
    words = []
    for _ in range(r.randint(0, 4)):
        word = random_text(r, VALUE_CHARS, 1, 8)
        while word[0] in "#;":
            word = r.choice(string.ascii_letters) + word[1:]
        words.append(word)
    return r.choice([" ", "  ", "\t"]).join(words)


def blank(r):
    return r.choice(["", " ", "  ", "\t"])


def random_file(r):
    kind = "credentials" if r.random() < 0.3 else "config"
    lines = []
    headers = set()
    for _ in range(r.randint(0, 5)):
        name = random_text(r, NAME_CHARS, 1, 10)
        if kind == "credentials":
            header = name
        else:
            header = r.choice(["default", f"profile {name}", f"profile{'  ' if r.random() < 0.2 else ' '}{name}",
                               f"sso-session {name}", f"services {name}", name])
        # One header per name: a repeated one is an expected difference, as are [default] and
        # [profile default] together.
        key = header.split()[-1] if header.startswith(("profile", "default")) else header
        if key in headers or header in headers:
            continue
        headers.update({key, header})
        if r.random() < 0.2:
            lines.append(r.choice(["# comment", "; comment", "#", ""]))
        lines.append(f"[{header}]" + (r.choice([" # note", "; note", "\t#x"]) if r.random() < 0.2 else ""))
        keys = set()
        for _ in range(r.randint(0, 6)):
            key = random_text(r, NAME_CHARS, 1, 12)
            if key.lower() in keys:
                continue
            keys.add(key.lower())
            kind_of_value = r.random()
            if kind_of_value < 0.15:
                lines.append(f"{key}{blank(r)}={blank(r)}")
                sub_keys = set()
                for _ in range(r.randint(1, 4)):
                    sub_key = random_text(r, string.ascii_lowercase + string.digits + "_-", 1, 8)
                    if sub_key in sub_keys:
                        continue
                    sub_keys.add(sub_key)
                    lines.append(f"{r.choice([' ', '  ', chr(9)])}{sub_key}{blank(r)}={blank(r)}"
                                 f"{random_value(r)}{blank(r)}")
                    if r.random() < 0.1:
                        lines.append(r.choice(["# comment", "; comment"]))
            else:
                lines.append(f"{key}{blank(r)}={blank(r)}{random_value(r) or 'x'}{blank(r)}")
                if kind_of_value > 0.85:
                    for _ in range(r.randint(1, 3)):
                        if r.random() < 0.2:
                            lines.append("# between")
                        word = random_value(r) or "y"
                        lines.append(f"{r.choice([' ', '   ', chr(9)])}{word}{blank(r)}")
            if r.random() < 0.1:
                lines.append(r.choice(["", "# c", ";c", "   "]))
    newline = r.choice(["\n", "\n", "\r\n"])
    text = newline.join(lines) + (newline if r.random() < 0.8 else "")
    return {"kind": kind, "text": text}


def botocore_parse(item):
    """botocore's view, in the driver's output shape."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".ini",
                                     delete=False) as f:
        f.write(item["text"])
    try:
        raw = botocore.configloader.raw_config_parse(f.name)
    except botocore.exceptions.ConfigParseError as e:
        return {"ok": False, "error": str(e)}
    finally:
        os.unlink(f.name)
    if item["kind"] == "credentials":
        return {"ok": True, "profiles": raw, "sso_sessions": {}, "services": {}}
    built = botocore.configloader.build_profile_map(raw)
    return {"ok": True, "profiles": built["profiles"], "sso_sessions": built["sso_sessions"],
            "services": built["services"]}


def same(ours, theirs):
    if ours["ok"] != theirs["ok"]:
        return False
    if not ours["ok"]:
        return True  # both refuse the file
    return all(ours[k] == theirs[k] for k in ("profiles", "sso_sessions", "services"))


def shrink(item, fails):
    lines = item["text"].splitlines(keepends=True)
    changed = True
    while changed:
        changed = False
        for i in range(len(lines)):
            candidate = {**item, "text": "".join(lines[:i] + lines[i + 1:])}
            if fails(candidate):
                lines, item, changed = lines[:i] + lines[i + 1:], candidate, True
                break
    return item


class ProfileDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = diff_support.driver(DRIVER_ENV, "profile_diff_driver")

    def ours(self, items):
        return diff_support.run_driver(self.driver, items)

    def test_random_files_parse_as_botocore_does(self):
        seed = diff_support.seed()
        count = diff_support.count(1500)
        r = diff_support.rng(seed)
        items = [random_file(r) for _ in range(count)]
        ours = self.ours(items)
        theirs = [botocore_parse(item) for item in items]
        mismatches = [i for i in range(count) if not same(ours[i], theirs[i])]
        print(f"profile differential: seed={seed} files={count} "
              f"lines={sum(item['text'].count(chr(10)) for item in items)} "
              f"profiles={sum(len(t.get('profiles', {})) for t in theirs)} "
              f"refused-by-both={sum(not t['ok'] for t in theirs)} "
              f"mismatches={len(mismatches)}", file=sys.stderr)
        if mismatches:
            minimal = shrink(items[mismatches[0]],
                             lambda c: not same(self.ours([c])[0], botocore_parse(c)))
            self.fail(f"{len(mismatches)} of {count} files differ (HUBSPOKE_DIFF_SEED={seed}); "
                      f"smallest repro (profile_diff_driver input):\n{json.dumps(minimal)}\n"
                      f"ours: {json.dumps(self.ours([minimal])[0])}\n"
                      f"botocore: {json.dumps(botocore_parse(minimal))}")


class ExpectedDifferences(unittest.TestCase):
    """Each difference the module docstring lists, shown to exist and to be exactly that."""

    @classmethod
    def setUpClass(cls):
        cls.driver = diff_support.driver(DRIVER_ENV, "profile_diff_driver")

    def both(self, text, kind="config"):
        item = {"kind": kind, "text": text}
        return diff_support.run_driver(self.driver, [item])[0], botocore_parse(item)

    def test_inline_comment_kept_by_botocore_stripped_by_us(self):
        ours, theirs = self.both("[default]\nregion = us-east-1 # note\nx = a;b ; c\n")
        self.assertEqual({"region": "us-east-1", "x": "a;b"}, ours["profiles"]["default"])
        self.assertEqual({"region": "us-east-1 # note", "x": "a;b ; c"},
                         theirs["profiles"]["default"])

    def test_repeated_section_or_key_refused_by_botocore_merged_by_us(self):
        ours, theirs = self.both("[profile a]\nx = 1\n[profile a]\ny = 2\n")
        self.assertEqual({"x": "1", "y": "2"}, ours["profiles"]["a"])
        self.assertFalse(theirs["ok"])
        ours, theirs = self.both("[profile a]\nx = 1\nX = 2\n")
        self.assertEqual({"x": "2"}, ours["profiles"]["a"])
        self.assertFalse(theirs["ok"])

    def test_default_and_profile_default_botocore_takes_the_later(self):
        ours, theirs = self.both("[profile default]\nx = 1\n[default]\nx = 2\n")
        self.assertEqual({"x": "1"}, ours["profiles"]["default"])
        self.assertEqual({"x": "2"}, theirs["profiles"]["default"])

    def test_colon_delimiter_only_for_botocore(self):
        ours, theirs = self.both("[default]\nregion: us-east-1\n")
        self.assertFalse(ours["ok"])
        self.assertIn("expected '='", ours["error"])
        self.assertEqual({"region": "us-east-1"}, theirs["profiles"]["default"])
        ours, theirs = self.both("[default]\na:b = c\n")
        self.assertEqual({"a:b": "c"}, ours["profiles"]["default"])
        self.assertEqual({"a": "b = c"}, theirs["profiles"]["default"])

    def test_indented_comment_line_dropped_by_botocore_kept_by_us(self):
        ours, theirs = self.both("[default]\nx = 1\n  # two\n  three\n")
        self.assertEqual({"x": "1\n# two\nthree"}, ours["profiles"]["default"])
        self.assertEqual({"x": "1\nthree"}, theirs["profiles"]["default"])

    def test_blank_line_inside_a_continued_value_kept_by_botocore_only(self):
        ours, theirs = self.both("[default]\nx = 1\n  two\n\n  three\n")
        self.assertEqual({"x": "1\ntwo\nthree"}, ours["profiles"]["default"])
        self.assertEqual({"x": "1\ntwo\n\nthree"}, theirs["profiles"]["default"])

    def test_invalid_names_kept_by_botocore_ignored_by_us(self):
        ours, theirs = self.both("[default]\nmy key = 1\nclé = 2\nok = 3\n")
        self.assertEqual({"ok": "3"}, ours["profiles"]["default"])
        self.assertEqual({"my key": "1", "clé": "2", "ok": "3"}, theirs["profiles"]["default"])
        ours, theirs = self.both("[profile foo]\nx = 1\n[bar]\ny = 2\n", kind="credentials")
        self.assertEqual({"bar": {"y": "2"}}, ours["profiles"])
        self.assertEqual({"profile foo": {"x": "1"}, "bar": {"y": "2"}}, theirs["profiles"])

    def test_upper_case_DEFAULT_is_inherited_only_by_botocore(self):
        ours, theirs = self.both("[DEFAULT]\nregion = r\n[profile a]\nx = 1\n")
        self.assertEqual({"x": "1"}, ours["profiles"]["a"])
        self.assertEqual({"x": "1", "region": "r"}, theirs["profiles"]["a"])

    def test_indented_property_after_a_header_is_a_property_only_for_botocore(self):
        ours, theirs = self.both("[default]\n  x = 1\n")
        self.assertFalse(ours["ok"])
        self.assertIn("continuation", ours["error"])
        self.assertEqual({"x": "1"}, theirs["profiles"]["default"])

    def test_sub_property_keys_lower_cased_by_us_only(self):
        ours, theirs = self.both("[default]\ns3 =\n  Addressing_Style = path\n")
        self.assertEqual({"s3": {"addressing_style": "path"}}, ours["profiles"]["default"])
        self.assertEqual({"s3": {"Addressing_Style": "path"}}, theirs["profiles"]["default"])


if __name__ == "__main__":
    unittest.main()
