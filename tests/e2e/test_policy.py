"""End to end: `assume-spoke-role policy base|hub-trust|hub|spoke-trust|all` (the real binary).

The seed README's chain (user sys-automation, automation-hub-role in 999999999999,
automation-spoke-role, external id, organization): the JSON output is one bare document that
`json.loads` reads and the real AWS CLI accepts (`aws iam create-role
--assume-role-policy-document file:///dev/stdin` against moto); `policy all --output-dir` writes
its files 0600 into a 0700 directory and refuses symlinks, files and non-empty directories; the
Terraform output parsed by HashiCorp's HCL parser (npm @cdktf/hcl2json, installed by
scripts/setup) and the CloudFormation output parsed by PyYAML hold exactly the JSON documents,
with only properties of the CloudFormation schema. No credentials are read.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
import unittest

import e2e_support as es
import moto_fixture as mf

import yaml

HUB = "999999999999"
HUB_ROLE_ARN = f"arn:aws:iam::{HUB}:role/automation-hub-role"
USER = "arn:aws:iam::111111111111:user/sys-automation"
ORG = "o-a1b2c3d4e5"
EXTERNAL_ID = "this-is-my-automation"
SEED_FLAGS = ["--hub-account", HUB, "--hub-role", "automation-hub-role",
              "--spoke-role", "automation-spoke-role", "--external-id", EXTERNAL_ID,
              "--org-id", ORG, "--principal", USER]
NPM_PREFIX = os.environ.get("HUBSPOKE_NPM_PREFIX") or os.path.join(es.REPO, "build", "npm")

# CloudFormation's AWS::IAM::Role and AWS::IAM::ManagedPolicy properties (resource schemas).
ROLE_PROPERTIES = {"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns",
                   "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "RoleName",
                   "Tags"}
MANAGED_POLICY_PROPERTIES = {"Description", "Groups", "ManagedPolicyName", "Path",
                             "PolicyDocument", "Roles", "Users"}

EXPECTED_HUB_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "TrustBasePrincipals", "Effect": "Allow",
        "Principal": {"AWS": USER}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG,
                                       "sts:ExternalId": EXTERNAL_ID}}}]}


def as_list(v):
    return v if isinstance(v, list) else [v]


def canonical(doc: dict) -> dict:
    """A policy with every one-or-many value as a list, so equal policies compare equal."""
    out = []
    for s in doc["Statement"]:
        c = {"Sid": s["Sid"], "Effect": s["Effect"], "Action": sorted(as_list(s["Action"]))}
        if "Resource" in s:
            c["Resource"] = sorted(as_list(s["Resource"]))
        if "Principal" in s:
            c["Principal"] = {k: sorted(as_list(v)) for k, v in s["Principal"].items()}
        if "Condition" in s:
            c["Condition"] = {op: {k: sorted(as_list(v)) for k, v in keys.items()}
                              for op, keys in s["Condition"].items()}
        out.append(c)
    return {"Version": doc["Version"], "Statement": out}


def terraform_to_policy(block: dict) -> dict:
    """An aws_iam_policy_document as hcl2json parses it, converted to the policy JSON the AWS
    provider makes of it."""
    statements = []
    for s in block["statement"]:
        st = {"Sid": s["sid"], "Effect": s["effect"], "Action": s["actions"]}
        if "resources" in s:
            st["Resource"] = s["resources"]
        if "principals" in s:
            st["Principal"] = {p["type"]: p["identifiers"] for p in s["principals"]}
        if "condition" in s:
            cond: dict = {}
            for c in s["condition"]:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            st["Condition"] = cond
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def hcl_parse(text: str) -> dict:
    module = os.path.join(NPM_PREFIX, "node_modules", "@cdktf", "hcl2json")
    if not os.path.isdir(module):
        raise AssertionError(f"@cdktf/hcl2json is not installed in {NPM_PREFIX}: run scripts/setup")
    script = ("const h = require(process.argv[1]);"
              "let t = ''; process.stdin.on('data', d => t += d);"
              "process.stdin.on('end', () => h.parse('main.tf', t)"
              ".then(r => process.stdout.write(JSON.stringify(r)))"
              ".catch(e => { console.error(String(e)); process.exit(1); }));")
    p = subprocess.run(["node", "-e", script, module], input=text.encode(), capture_output=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("HCL parse failed: " + p.stderr.decode())
    return json.loads(p.stdout)


def resolve_sub(value, parameters: dict, partition: str = "aws"):
    """Fn::Sub with the parameters' defaults and AWS::Partition, everywhere in `value`."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            s = value["Fn::Sub"]
            s = s.replace("${AWS::Partition}", partition)
            for name, p in parameters.items():
                s = s.replace("${" + name + "}", p["Default"])
            assert "${" not in s, s
            return s
        return {k: resolve_sub(v, parameters, partition) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_sub(v, parameters, partition) for v in value]
    return value


class PolicyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.bin = es.require_executable(es.binary_path(), "assume-spoke-role",
                                         "ASSUME_SPOKE_ROLE_BIN")
        self.home = tempfile.mkdtemp(prefix="policy-e2e.")
        aws = os.path.join(self.home, ".aws")
        os.makedirs(aws)
        # Malformed shared files: the policy command must not read them (no credentials).
        for name in ("config", "credentials"):
            with open(os.path.join(aws, name), "w") as f:
                f.write("this is [not an ini file\n")
        self.env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "LC_ALL": "C.UTF-8",
                    "AWS_CONFIG_FILE": os.path.join(aws, "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(aws, "credentials"),
                    # Set for other tools; no profile is loaded, so it must not matter.
                    "AWS_PROFILE": "not-in-any-file"}

    def tearDown(self) -> None:
        subprocess.run(["rm", "-rf", self.home], check=False)

    def tool(self, *args: str, env: dict | None = None) -> es.Ran:
        return es.run([self.bin, "policy", *args], env=env or self.env)

    def ok(self, *args: str, env: dict | None = None) -> str:
        ran = self.tool(*args, env=env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(ran.stderr, "", ran.describe())
        return ran.stdout

    def bad(self, *args: str, flag: str) -> str:
        ran = self.tool(*args)
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertEqual(ran.stdout, "", ran.describe())
        lines = ran.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, ran.describe())
        self.assertTrue(lines[0].startswith("assume-spoke-role: error: "), ran.describe())
        self.assertIn(flag, lines[0])
        return lines[0]

    # -- JSON ----------------------------------------------------------------------------------
    def test_json_is_one_bare_document(self) -> None:
        out = self.ok("hub-trust", *SEED_FLAGS)
        self.assertEqual(json.loads(out), EXPECTED_HUB_TRUST)
        self.assertTrue(out.startswith("{\n  \"Version\": \"2012-10-17\""), out)
        for name in ("base", "hub", "spoke-trust"):
            doc = json.loads(self.ok(name, *SEED_FLAGS))
            self.assertEqual(doc["Version"], "2012-10-17")
            self.assertTrue(all("Sid" in s for s in doc["Statement"]))
        hub = json.loads(self.ok("hub", *SEED_FLAGS))
        self.assertEqual(hub["Statement"][0]["Condition"],
                         {"StringEquals": {"aws:ResourceOrgID": ORG}})
        spoke = json.loads(self.ok("spoke-trust", *SEED_FLAGS))
        self.assertEqual(spoke["Statement"][0]["Principal"], {"AWS": HUB_ROLE_ARN})
        self.assertEqual(spoke["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
                         EXTERNAL_ID)

    def test_environment_like_run(self) -> None:
        env = dict(self.env, ASSUME_ROLE_HUB_ACCOUNT=HUB, ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                   ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role",
                   ASSUME_ROLE_EXTERNAL_ID=EXTERNAL_ID)
        out = self.ok("hub-trust", "--org-id", ORG, "--principal", USER, env=env)
        self.assertEqual(json.loads(out), EXPECTED_HUB_TRUST)
        # GovCloud region: every ARN in aws-us-gov.
        gov_user = USER.replace("arn:aws:", "arn:aws-us-gov:")
        out = self.ok("spoke-trust", "--region", "us-gov-west-1", "--principal", gov_user, env=env)
        self.assertEqual(json.loads(out)["Statement"][0]["Principal"]["AWS"],
                         HUB_ROLE_ARN.replace("arn:aws:", "arn:aws-us-gov:"))

    def test_source_identity_and_tags(self) -> None:
        flags = SEED_FLAGS + ["--source-identity", "alice", "--tag", "team=ops"]
        base = json.loads(self.ok("base", *flags))["Statement"][0]["Action"]
        self.assertEqual(base, ["sts:AssumeRole", "sts:SetSourceIdentity"])
        spoke = json.loads(self.ok("spoke-trust", *flags))["Statement"][0]["Action"]
        self.assertEqual(spoke, ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"])

    def test_identity_center(self) -> None:
        flags = SEED_FLAGS[:-2] + ["--sso-permission-set", "AutomationAccess",
                                   "--sso-region", "eu-west-1"]
        doc = json.loads(self.ok("hub-trust", *flags))
        s = doc["Statement"][0]
        self.assertEqual(s["Principal"], {"AWS": f"arn:aws:iam::{HUB}:root"})
        self.assertEqual(s["Condition"]["ArnLike"]["aws:PrincipalArn"],
                         f"arn:aws:iam::{HUB}:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                         "AWSReservedSSO_AutomationAccess_*")
        # Assigned in an identity account rather than the hub.
        doc = json.loads(self.ok("hub-trust", *flags, "--sso-account", "444444444444"))
        s = doc["Statement"][0]
        self.assertEqual(s["Principal"], {"AWS": "arn:aws:iam::444444444444:root"})
        self.assertTrue(s["Condition"]["ArnLike"]["aws:PrincipalArn"].startswith(
            "arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/eu-west-1/"))

    def test_mfa(self) -> None:
        c = json.loads(self.ok("hub-trust", *SEED_FLAGS, "--mfa"))["Statement"][0]["Condition"]
        self.assertEqual(c["Bool"], {"aws:MultiFactorAuthPresent": "true"})
        self.assertEqual(c["NumericLessThanIfExists"], {"aws:MultiFactorAuthAge": "3600"})

    def test_bad_input(self) -> None:
        self.bad("hub-trust", *SEED_FLAGS[:-2], flag="--principal")
        self.bad("hub-trust", *SEED_FLAGS[:-4], "--org-id", "o-BAD", "--principal", USER,
                 flag="--org-id")
        self.bad("hub-trust", *SEED_FLAGS[:-2], "--principal", "arn:aws:iam::111111111111:user/*",
                 flag="--principal")
        self.bad("hub-trust", *SEED_FLAGS, "--sso-permission-set", "Admin", flag="--sso-region")
        self.bad("hub-trust", *SEED_FLAGS, "--sso-account", "444444444444", flag="--sso-account")
        self.bad("hub", *SEED_FLAGS, "--spoke-account", "123", flag="--spoke-account")
        self.bad("base", *SEED_FLAGS[2:], flag="--hub-account")
        self.bad("all", *SEED_FLAGS, flag="--output-dir")
        line = self.bad("hub", *SEED_FLAGS, "--external-id", "x", flag="--external-id")
        self.assertNotIn(EXTERNAL_ID, line)

    def test_help_teaches(self) -> None:
        ran = es.run([self.bin, "policy", "--help"], env=self.env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        for sub in ("base", "hub-trust", "hub", "spoke-trust", "all", "lint"):
            self.assertIn(f"  {sub} ", ran.stdout)
        ran = es.run([self.bin, "policy", "all", "--help"], env=self.env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        for needle in ("--output-dir", "--sso-permission-set", "--org-id",
                       "arn:aws:iam::111111111111:user/sys-automation", "file:///dev/stdin"):
            self.assertIn(needle, ran.stdout)

    # -- policy all --------------------------------------------------------------------------
    def write_all(self, *extra: str) -> str:
        out_dir = os.path.join(self.home, "policies")
        printed = self.ok("all", *SEED_FLAGS, "--output-dir", out_dir, *extra)
        names = ["base-policy.json", "hub-trust-policy.json", "hub-policy.json",
                 "spoke-trust-policy.json", "main.tf", "base.yaml", "hub.yaml",
                 "spoke-stackset.yaml"]
        if not extra:
            self.assertEqual(printed.splitlines(), [os.path.join(out_dir, n) for n in names])
        return out_dir

    def test_all_files_and_modes(self) -> None:
        out_dir = self.write_all()
        self.assertEqual(stat.S_IMODE(os.lstat(out_dir).st_mode), 0o700)
        for name in os.listdir(out_dir):
            st = os.lstat(os.path.join(out_dir, name))
            self.assertTrue(stat.S_ISREG(st.st_mode), name)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600, name)
        for kind in ("base", "hub-trust", "hub", "spoke-trust"):
            with open(os.path.join(out_dir, f"{kind}-policy.json")) as f:
                self.assertEqual(f.read(), self.ok(kind, *SEED_FLAGS))
        # Not again into the same (now non-empty) directory.
        self.bad("all", *SEED_FLAGS, "--output-dir", out_dir, flag="--output-dir")
        # Not through a symbolic link, not into a file.
        link = os.path.join(self.home, "link")
        empty = os.path.join(self.home, "empty")
        os.mkdir(empty)
        os.symlink(empty, link)
        self.bad("all", *SEED_FLAGS, "--output-dir", link, flag="--output-dir")
        self.bad("all", *SEED_FLAGS, "--output-dir", os.path.join(out_dir, "main.tf"),
                 flag="--output-dir")
        self.assertEqual(os.listdir(empty), [])
        # An existing empty directory is fine; --format limits the files.
        printed = self.ok("all", *SEED_FLAGS, "--output-dir", empty, "--format", "json")
        self.assertEqual(len(printed.splitlines()), 4)

    # -- Terraform ---------------------------------------------------------------------------
    def test_terraform_equals_json(self) -> None:
        out_dir = self.write_all()
        with open(os.path.join(out_dir, "main.tf")) as f:
            tf = f.read()
        parsed = hcl_parse(tf)
        documents = parsed["data"]["aws_iam_policy_document"]
        for tf_name, kind in (("base", "base"), ("hub_trust", "hub-trust"), ("hub", "hub"),
                              ("spoke_trust", "spoke-trust")):
            with open(os.path.join(out_dir, f"{kind}-policy.json")) as f:
                want = json.load(f)
            self.assertEqual(canonical(terraform_to_policy(documents[tf_name][0])),
                             canonical(want), kind)
        resources = parsed["resource"]
        self.assertEqual(resources["aws_iam_role"]["hub"][0]["name"], "automation-hub-role")
        self.assertEqual(resources["aws_iam_role"]["spoke"][0]["name"], "automation-spoke-role")
        self.assertIn("aws_iam_role_policy", resources)
        self.assertIn("aws_iam_policy", resources)
        self.assertIn(f"# Goes into account {HUB}", tf)
        # One document alone parses too.
        one = hcl_parse(self.ok("spoke-trust", *SEED_FLAGS, "--format", "terraform"))
        self.assertEqual(canonical(terraform_to_policy(
            one["data"]["aws_iam_policy_document"]["spoke_trust"][0])),
            canonical(json.loads(self.ok("spoke-trust", *SEED_FLAGS))))

    # -- CloudFormation ----------------------------------------------------------------------
    def test_cloudformation_schema_and_documents(self) -> None:
        out_dir = self.write_all()

        def load(name: str) -> dict:
            with open(os.path.join(out_dir, name)) as f:
                text = f.read()
            self.assertTrue(text.startswith("#"), name)  # says what it is for
            self.assertNotIn("!", text)  # long-form intrinsics only
            return yaml.safe_load(text)

        def policy(name: str) -> dict:
            with open(os.path.join(out_dir, f"{name}-policy.json")) as f:
                return json.load(f)

        hub = load("hub.yaml")
        role = hub["Resources"]["HubRole"]
        self.assertEqual(role["Type"], "AWS::IAM::Role")
        self.assertLessEqual(set(role["Properties"]), ROLE_PROPERTIES)
        self.assertEqual(role["Properties"]["AssumeRolePolicyDocument"], policy("hub-trust"))
        self.assertEqual(role["Properties"]["Policies"][0]["PolicyDocument"], policy("hub"))
        self.assertEqual(role["Properties"]["RoleName"], "automation-hub-role")

        spoke = load("spoke-stackset.yaml")
        role = spoke["Resources"]["SpokeRole"]
        self.assertEqual(role["Type"], "AWS::IAM::Role")
        self.assertLessEqual(set(role["Properties"]), ROLE_PROPERTIES)
        self.assertIn("AssumeRolePolicyDocument", role["Properties"])
        params = spoke["Parameters"]
        self.assertEqual(params["HubAccountId"]["Default"], HUB)
        self.assertEqual(resolve_sub(role["Properties"]["AssumeRolePolicyDocument"], params),
                         policy("spoke-trust"))
        # StackSet-ready: nothing account-specific outside the parameters.
        self.assertNotIn(HUB, json.dumps(spoke["Resources"]))

        base = load("base.yaml")
        managed = base["Resources"]["BasePolicy"]
        self.assertEqual(managed["Type"], "AWS::IAM::ManagedPolicy")
        self.assertLessEqual(set(managed["Properties"]), MANAGED_POLICY_PROPERTIES)
        self.assertEqual(managed["Properties"]["PolicyDocument"], policy("base"))

    # -- the real AWS CLI against moto -------------------------------------------------------
    def test_pipes_into_aws_iam_create_role(self) -> None:
        es.require_moto()
        trust = self.ok("spoke-trust", *SEED_FLAGS)
        with mf.MotoServer(no_auth_count=10) as server:
            # The AWS CLI gets a HOME of its own (ours holds malformed config files).
            aws_home = os.path.join(self.home, "aws-cli-home")
            os.mkdir(aws_home)
            env = es.base_env(aws_home, server.url, "AKIAIOSFODNN7EXAMPLE",
                              "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              AWS_DEFAULT_REGION="us-east-1")
            ran = es.run([es.aws_cli(), "iam", "create-role", "--role-name",
                          "automation-spoke-role", "--assume-role-policy-document",
                          "file:///dev/stdin", "--output", "json"], env=env,
                         input=trust.encode())
            self.assertEqual(ran.returncode, 0, ran.describe())
            got = json.loads(ran.stdout)["Role"]["AssumeRolePolicyDocument"]
            if isinstance(got, str):
                got = json.loads(got)
            self.assertEqual(got, json.loads(trust))

    # -- the lab: the generated documents decide a real chain --------------------------------
    def lab_model(self, documents: dict) -> str:
        printed = es.run([self.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        self.assertEqual(printed.returncode, 0, printed.describe())
        model = json.loads(printed.stdout)
        replaced = {"user": 0, "hub": 0, "spoke": 0}
        for user in model["users"]:
            if user["name"] == "sys-automation":
                user["policies"] = [{"name": "base", "document": documents["base"]}]
                replaced["user"] += 1
        for role in model["roles"]:
            if role["name"] == "automation-hub-role":
                role["trust_policy"] = documents["hub-trust"]
                role["policies"] = [{"name": "hub", "document": documents["hub"]}]
                replaced["hub"] += 1
            elif role["name"] == "automation-spoke-role":
                role["trust_policy"] = documents["spoke-trust"]
                replaced["spoke"] += 1
        self.assertEqual(replaced, {"user": 1, "hub": 1, "spoke": 1}, replaced)
        path = os.path.join(self.home, f"model-{len(os.listdir(self.home))}.json")
        with open(path, "w") as f:
            json.dump(model, f)
        return path

    def run_in_lab(self, model: str, *flags: str) -> es.Ran:
        from test_lab_clients import Lab, USER_KEY, USER_SECRET
        lab = Lab(self.bin, self.home, "--model", model)
        self.addCleanup(lab.stop)
        lab_home = os.path.join(self.home, f"lab-home-{len(os.listdir(self.home))}")
        os.mkdir(lab_home)
        env = es.base_env(lab_home, lab.url, USER_KEY, USER_SECRET,
                          AWS_DEFAULT_REGION="us-east-1",
                          ASSUME_ROLE_HUB_ACCOUNT=HUB, ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                          ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role",
                          ASSUME_ROLE_EXTERNAL_ID=EXTERNAL_ID,
                          ASSUME_ROLE_SESSION_STRING=es.SESSION_STRING)
        return es.run([self.bin, "run", "--spoke-account", "888888888888", *flags, "--",
                       es.aws_cli(),
                       "sts", "get-caller-identity", "--output", "json"], env,
                      timeout=es.AWS_CLI_TIMEOUT)

    def test_lab_runs_the_chain_on_the_generated_documents(self) -> None:
        documents = {k: json.loads(self.ok(k, *SEED_FLAGS))
                     for k in ("base", "hub-trust", "hub", "spoke-trust")}
        ran = self.run_in_lab(self.lab_model(documents))
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["Arn"],
                         "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/"
                         "888888888888-" + es.SESSION_STRING)
        # The documents decide: a spoke trust for another external id refuses the spoke hop.
        other = json.loads(self.ok("spoke-trust", *SEED_FLAGS[:-4], "--spoke-external-id",
                                   "another-external-id", "--org-id", ORG, "--principal", USER))
        ran = self.run_in_lab(self.lab_model(dict(documents, **{"spoke-trust": other})))
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("AccessDenied", ran.stderr)

    def test_lab_source_identity_through_the_chain(self) -> None:
        """The source identity set on the hub hop is carried into the spoke call: the IAM User
        Guide asks for sts:SetSourceIdentity in the hub's permissions and the spoke trust, and
        the lab enforces it, so documents made without --source-identity refuse the chain."""
        flags = SEED_FLAGS + ["--source-identity", "alice"]
        documents = {k: json.loads(self.ok(k, *flags))
                     for k in ("base", "hub-trust", "hub", "spoke-trust")}
        ran = self.run_in_lab(self.lab_model(documents), "--source-identity", "alice")
        self.assertEqual(ran.returncode, 0, ran.describe())
        plain = json.loads(self.ok("spoke-trust", *SEED_FLAGS))
        ran = self.run_in_lab(self.lab_model(dict(documents, **{"spoke-trust": plain})),
                              "--source-identity", "alice")
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("AccessDenied", ran.stderr)


if __name__ == "__main__":
    unittest.main()
