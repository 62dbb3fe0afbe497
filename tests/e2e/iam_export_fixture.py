#!/usr/bin/env python3
"""A realistic export of an organization, built from a lab model (docs/lab.md): what
`aws iam get-account-authorization-details` prints for each account and what the AWS
Organizations commands of docs/policies.md ("Exporting a real organization") print, in the
layout `lab --iam-export DIR --scp-export DIR` and `explain` read.

The export grants exactly what the model grants, but spelled the ways real exports spell it:
a user's first policy comes from a group it is in, a role's first policy is a customer managed
policy whose default version is not the first listed (the others deny everything), the hub role
has an allow-all permissions boundary, documents alternate between JSON objects (as the AWS CLI
prints them) and URL-encoded strings (as the raw API returns them), every account file lists the
AWS managed policies (exported without --filter) and holds an extra role under /automation/
with an instance profile, an AWS managed policy and a boundary. Accounts directly under the root
(the management account excepted) are spread over two OUs, Workloads/Prod and Workloads/NonProd,
and FullAWSAccess is attached at every node, as AWS does, beside the model's own SCPs.

As a CLI (the `explain` benchmark uses it):
    python3 tests/e2e/iam_export_fixture.py --model FILE --out DIR [--accounts N]
writes DIR/iam and DIR/scp; --accounts N adds N spoke accounts (300000000001, …) in an OU
"Generated", each with the model's spoke role and a few other roles and policies.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
import urllib.parse
from typing import Any

READ_ONLY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER_ARN = "arn:aws:iam::aws:policy/PowerUserAccess"
FULL_AWS_ACCESS = "p-FullAWSAccess"  # AWS's own id for the AWS managed SCP
CREATED = "2024-03-01T12:00:00+00:00"
DENY_ALL = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Services of the size of AWS's ReadOnlyAccess (hundreds of actions, ~20 KiB).
SERVICES = ("access-analyzer acm apigateway application-autoscaling appsync athena autoscaling "
            "backup batch cloudformation cloudfront cloudtrail cloudwatch codebuild codecommit "
            "codedeploy codepipeline cognito-idp config dynamodb ec2 ecr ecs eks elasticache "
            "elasticloadbalancing es events firehose glue guardduty iam kafka kinesis kms lambda "
            "logs organizations rds redshift route53 s3 secretsmanager securityhub sns sqs ssm "
            "states sts tag waf wafv2 xray").split()


def _hash(*parts: str, n: int = 8, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:n])


def unique_id(prefix: str, arn: str) -> str:
    return prefix + _hash(arn, n=17, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _document(doc: Any) -> dict:
    return json.loads(doc) if isinstance(doc, str) else copy.deepcopy(doc)


class _Encoder:
    """Alternates documents between JSON objects and URL-encoded strings."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, doc: dict) -> Any:
        self.count += 1
        if self.count % 2 == 0:
            return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")
        return doc


def _read_only_document() -> dict:
    actions = []
    for service in SERVICES:
        actions += [f"{service}:Describe*", f"{service}:Get*", f"{service}:List*"]
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": "ReadOnly", "Effect": "Allow", "Action": actions,
                           "Resource": "*"}]}


def _aws_managed_policies(encode: _Encoder) -> list[dict]:
    power = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*",
                                                             "account:*"], "Resource": "*"}]}
    out = []
    for name, arn, doc, versions in (("ReadOnlyAccess", READ_ONLY_ARN, _read_only_document(), 3),
                                     ("PowerUserAccess", POWER_USER_ARN, power, 5)):
        out.append({
            "PolicyName": name, "PolicyId": "ANPA" + _hash(arn, n=17).upper(), "Arn": arn,
            "Path": "/", "DefaultVersionId": f"v{versions}", "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": CREATED, "UpdateDate": CREATED,
            "PolicyVersionList": [{"Document": encode(doc), "VersionId": f"v{versions}",
                                   "IsDefaultVersion": True, "CreateDate": CREATED}]})
    return out


def _customer_policy(account: str, name: str, doc: dict, encode: _Encoder,
                     path: str = "/") -> dict:
    """A customer managed policy with three versions, the default (v3) listed second; the
    others deny everything, so a reader taking the wrong one changes every decision."""
    arn = f"arn:aws:iam::{account}:policy{path}{name}"
    return {
        "PolicyName": name, "PolicyId": "ANPA" + _hash(arn, n=17).upper(), "Arn": arn,
        "Path": path, "DefaultVersionId": "v3", "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
        "CreateDate": CREATED, "UpdateDate": CREATED,
        "PolicyVersionList": [
            {"Document": encode(DENY_ALL), "VersionId": "v1", "IsDefaultVersion": False,
             "CreateDate": CREATED},
            {"Document": encode(doc), "VersionId": "v3", "IsDefaultVersion": True,
             "CreateDate": CREATED},
            {"Document": encode(DENY_ALL), "VersionId": "v2", "IsDefaultVersion": False,
             "CreateDate": CREATED},
        ]}


def _tags(tags: dict | None) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


class _Account:
    def __init__(self, account: str) -> None:
        self.id = account
        self.users: list[dict] = []
        self.groups: list[dict] = []
        self.roles: list[dict] = []
        self.policies: list[dict] = []

    def document(self, encode: _Encoder) -> dict:
        return {"UserDetailList": self.users, "GroupDetailList": self.groups,
                "RoleDetailList": self.roles,
                "Policies": self.policies + _aws_managed_policies(encode),
                "IsTruncated": False}


def _boundary(account: _Account, owner: str, doc: dict, encode: _Encoder) -> dict:
    policy = _customer_policy(account.id, f"{owner}-boundary", doc, encode, "/boundaries/")
    account.policies.append(policy)
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy["Arn"]}


def _add_user(account: _Account, user: dict, encode: _Encoder) -> None:
    path = user.get("path", "/")
    name = user["name"]
    arn = f"arn:aws:iam::{account.id}:user{path}{name}"
    policies = user.get("policies", [])
    detail = {"Path": path, "UserName": name, "UserId": user.get("id") or unique_id("AIDA", arn),
              "Arn": arn, "CreateDate": CREATED, "UserPolicyList": [], "GroupList": [],
              "AttachedManagedPolicies": [], "Tags": _tags(user.get("tags"))}
    if policies:
        # The first policy through a group, as organizations grant it.
        group = f"{name}-group"
        account.groups.append({
            "Path": "/", "GroupName": group, "GroupId": unique_id("AGPA", group + account.id),
            "Arn": f"arn:aws:iam::{account.id}:group/{group}", "CreateDate": CREATED,
            "GroupPolicyList": [{"PolicyName": policies[0]["name"],
                                 "PolicyDocument": encode(_document(policies[0]["document"]))}],
            "AttachedManagedPolicies": []})
        detail["GroupList"].append(group)
    for p in policies[1:]:
        detail["UserPolicyList"].append({"PolicyName": p["name"],
                                         "PolicyDocument": encode(_document(p["document"]))})
    if "permissions_boundary" in user:
        detail["PermissionsBoundary"] = _boundary(
            account, name, _document(user["permissions_boundary"]), encode)
    account.users.append(detail)


def _add_role(account: _Account, role: dict, encode: _Encoder, hub_boundary: bool) -> None:
    path = role.get("path", "/")
    name = role["name"]
    arn = f"arn:aws:iam::{account.id}:role{path}{name}"
    policies = role.get("policies", [])
    detail = {"Path": path, "RoleName": name,
              "RoleId": (role.get("id") if "account" in role else None) or unique_id("AROA", arn),
              "Arn": arn, "CreateDate": CREATED,
              "AssumeRolePolicyDocument": encode(_document(role["trust_policy"])),
              "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
              "Tags": _tags(role.get("tags")),
              "RoleLastUsed": {"LastUsedDate": CREATED, "Region": "us-east-1"}}
    if policies:
        # The first policy as a customer managed policy (default version v3, not the first).
        managed = _customer_policy(account.id, f"{name}-{policies[0]['name']}",
                                   _document(policies[0]["document"]), encode)
        account.policies.append(managed)
        detail["AttachedManagedPolicies"].append({"PolicyName": managed["PolicyName"],
                                                  "PolicyArn": managed["Arn"]})
    for p in policies[1:]:
        detail["RolePolicyList"].append({"PolicyName": p["name"],
                                         "PolicyDocument": encode(_document(p["document"]))})
    if "permissions_boundary" in role:
        detail["PermissionsBoundary"] = _boundary(
            account, name, _document(role["permissions_boundary"]), encode)
    elif hub_boundary:
        detail["PermissionsBoundary"] = _boundary(account, name, ALLOW_ALL, encode)
    account.roles.append(detail)


def _add_extra_roles(account: _Account, encode: _Encoder) -> None:
    """Roles every real account has and the chain never uses: a CI role under /automation/
    with an instance profile, AWS managed policies and a boundary; an EC2 role."""
    trust_ec2 = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                "Action": "sts:AssumeRole"}]}
    for name, path, attached in (("ci-deployer", "/automation/", [READ_ONLY_ARN, POWER_USER_ARN]),
                                 ("ec2-app", "/service/", [READ_ONLY_ARN])):
        arn = f"arn:aws:iam::{account.id}:role{path}{name}"
        account.roles.append({
            "Path": path, "RoleName": name, "RoleId": unique_id("AROA", arn), "Arn": arn,
            "CreateDate": CREATED, "AssumeRolePolicyDocument": encode(trust_ec2),
            "InstanceProfileList": [{
                "Path": path, "InstanceProfileName": name,
                "InstanceProfileId": "AIPA" + _hash(arn, n=17).upper(),
                "Arn": f"arn:aws:iam::{account.id}:instance-profile{path}{name}",
                "CreateDate": CREATED, "Roles": [{"Path": path, "RoleName": name, "Arn": arn}]}],
            "RolePolicyList": [{"PolicyName": "logs", "PolicyDocument": encode({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream",
                                                             "logs:PutLogEvents"],
                               "Resource": f"arn:aws:logs:*:{account.id}:*"}]})}],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a}
                                        for a in attached],
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                    "PermissionsBoundaryArn": POWER_USER_ARN},
            "Tags": [{"Key": "team", "Value": "platform"}],
            "RoleLastUsed": {}})


def _spoke_role(model: dict) -> dict | None:
    """The model's spoke role: one deployed in several accounts, else automation-spoke-role."""
    for role in model.get("roles", []):
        if len(role.get("accounts", [])) > 1:
            return role
    for role in model.get("roles", []):
        if role["name"] == "automation-spoke-role":
            return role
    return None


def write_export(model: dict, out: str, accounts: int = 0) -> dict:
    """Writes out/iam and out/scp (the latter when the model has an organization). Returns
    {"iam": path, "scp": path or None, "ou_of": {account: OU id or root id},
     "ous": {name: id}, "root": root id}."""
    encode = _Encoder()
    org = model.get("organization")
    by_id: dict[str, _Account] = {}
    order: list[str] = []
    for a in model["accounts"]:
        by_id[a["id"]] = _Account(a["id"])
        order.append(a["id"])
    management = (org or {}).get("management_account", "")
    for user in model.get("users", []):
        _add_user(by_id[user["account"]], user, encode)
    spoke = _spoke_role(model)
    for role in model.get("roles", []):
        for account in role.get("accounts", [role.get("account")]):
            # An allow-all boundary on the roles of the management (hub) account: decisions stay.
            _add_role(by_id[account], role, encode, hub_boundary=account == management)
    for mp in model.get("managed_policies", []):
        account = mp["arn"].split(":")[4]
        if account in by_id:
            name = mp["arn"].split("/")[-1]
            by_id[account].policies.append(
                _customer_policy(account, name, _document(mp["document"]), encode))
    generated = []
    for i in range(1, accounts + 1):
        account = f"{300000000000 + i:012d}"
        by_id[account] = _Account(account)
        order.append(account)
        generated.append(account)
        if spoke is not None:
            _add_role(by_id[account], {k: v for k, v in spoke.items() if k != "accounts"},
                      encode, hub_boundary=False)
    for account in order:
        _add_extra_roles(by_id[account], encode)

    iam_dir = os.path.join(out, "iam")
    os.makedirs(iam_dir, exist_ok=True)
    for n, account in enumerate(order):
        # Some in a subdirectory, as `aws … > exports/<ou>/<account>.json` leaves them.
        sub = os.path.join(iam_dir, "generated") if account in generated else iam_dir
        os.makedirs(sub, exist_ok=True)
        _write(os.path.join(sub, f"{account}.json"), by_id[account].document(encode))
    result: dict = {"iam": iam_dir, "scp": None, "ou_of": {}, "ous": {}, "root": None}
    if not org:
        return result

    org_id = org["id"]
    root = org.get("root_id") or "r-" + org_id[2:6]
    organization = {"Organization": {
        "Id": org_id, "Arn": f"arn:aws:organizations::{management or '000000000000'}:"
                             f"organization/{org_id}",
        "FeatureSet": "ALL", "MasterAccountId": management,
        "MasterAccountArn": f"arn:aws:organizations::{management}:account/{org_id}/{management}",
        "MasterAccountEmail": f"aws+{management}@example.com",
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}}
    _write(os.path.join(iam_dir, "organization.json"), organization)

    scp_dir = os.path.join(out, "scp")
    for sub in ("policies", "targets", "ous", "accounts"):
        os.makedirs(os.path.join(scp_dir, sub), exist_ok=True)
    _write(os.path.join(scp_dir, "organization.json"), organization)
    _write(os.path.join(scp_dir, "roots.json"), {"Roots": [{
        "Id": root, "Arn": f"arn:aws:organizations::{management}:root/{org_id}/{root}",
        "Name": "Root", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY",
                                         "Status": "ENABLED"}]}]})

    # The tree: the model's OUs, plus Workloads/{Prod,NonProd} and Generated.
    def ou_id(name: str) -> str:
        return f"ou-{root[2:6]}-{_hash(org_id, name)}"

    ous: list[dict] = [dict(o) for o in org.get("organizational_units", [])]
    workloads, prod, nonprod, gen = (ou_id("Workloads"), ou_id("Prod"), ou_id("NonProd"),
                                     ou_id("Generated"))
    ous += [{"id": workloads, "name": "Workloads", "scps": []},
            {"id": prod, "name": "Prod", "parent": workloads, "scps": []},
            {"id": nonprod, "name": "NonProd", "parent": workloads, "scps": []}]
    if generated:
        ous.append({"id": gen, "name": "Generated", "scps": []})
    parent_of: dict[str, str] = {}
    n = 0
    for a in model["accounts"]:
        if a.get("organization", True) is False:
            continue
        parent = a.get("parent", "")
        if not parent and a["id"] != management:
            parent = prod if n % 2 == 0 else nonprod
            n += 1
        parent_of[a["id"]] = parent or root
    for account in generated:
        parent_of[account] = gen
    names = {a["id"]: a.get("name", a["id"]) for a in model["accounts"]}
    emails = {a["id"]: a.get("email", f"aws+{a['id']}@example.com") for a in model["accounts"]}
    statuses = {a["id"]: a.get("status", "ACTIVE") for a in model["accounts"]}
    children: dict[str, list[dict]] = {root: []}
    for o in ous:
        children.setdefault(o["id"], [])
    for o in ous:
        parent = o.get("parent") or root
        children[parent].append({"Id": o["id"], "Name": o.get("name", o["id"]),
                                 "Arn": f"arn:aws:organizations::{management}:ou/{org_id}/"
                                        f"{o['id']}"})
    members: dict[str, list[dict]] = {p: [] for p in children}
    for account, parent in parent_of.items():
        members[parent].append({
            "Id": account, "Arn": f"arn:aws:organizations::{management}:account/{org_id}/"
                                  f"{account}",
            "Email": emails.get(account, f"aws+{account}@example.com"),
            "Name": names.get(account, f"spoke-{account[-4:]}"),
            "Status": statuses.get(account, "ACTIVE"), "JoinedMethod": "CREATED",
            "JoinedTimestamp": CREATED})
    for parent, items in children.items():
        _write(os.path.join(scp_dir, "ous", f"{parent}.json"), {"OrganizationalUnits": items})
    for parent, items in members.items():
        _write(os.path.join(scp_dir, "accounts", f"{parent}.json"), {"Accounts": items})

    # SCPs: FullAWSAccess at every node (AWS attaches it by default), the model's own, and one
    # account-level guard rail.
    policies: dict[str, dict] = {}  # id → {"name", "doc", "targets": [...]}

    def attach(name: str, doc: dict, target: str, kind: str) -> None:
        key = FULL_AWS_ACCESS if doc == ALLOW_ALL else "p-" + _hash(name, json.dumps(doc,
                                                                                     sort_keys=True))
        entry = policies.setdefault(key, {"name": "FullAWSAccess" if key == FULL_AWS_ACCESS
                                          else name, "doc": doc, "targets": []})
        if not any(t["TargetId"] == target for t in entry["targets"]):
            entry["targets"].append({"TargetId": target, "Type": kind, "Name": target,
                                     "Arn": f"arn:aws:organizations::{management}:{target}"})

    for scp in org.get("scps", []):
        attach(scp["name"], _document(scp["document"]), root, "ROOT")
    attach("FullAWSAccess", ALLOW_ALL, root, "ROOT")
    for o in ous:
        for scp in o.get("scps", []):
            attach(scp["name"], _document(scp["document"]), o["id"], "ORGANIZATIONAL_UNIT")
        attach("FullAWSAccess", ALLOW_ALL, o["id"], "ORGANIZATIONAL_UNIT")
    guard = {"Version": "2012-10-17",
             "Statement": [{"Sid": "NoIamUsers", "Effect": "Deny",
                            "Action": ["iam:CreateUser", "iam:CreateAccessKey"],
                            "Resource": "*"}]}
    for a in model["accounts"]:
        if a["id"] not in parent_of:
            continue
        for scp in a.get("scps", []):
            attach(scp["name"], _document(scp["document"]), a["id"], "ACCOUNT")
        attach("FullAWSAccess", ALLOW_ALL, a["id"], "ACCOUNT")
        if a["id"] != management:
            attach("DenyIamUsers", guard, a["id"], "ACCOUNT")
    for account in generated:
        attach("FullAWSAccess", ALLOW_ALL, account, "ACCOUNT")

    summaries = []
    for pid, entry in policies.items():
        summary = {"Id": pid, "Arn": f"arn:aws:organizations::{management}:policy/{org_id}/"
                                     f"service_control_policy/{pid}",
                   "Name": entry["name"], "Description": "", "Type": "SERVICE_CONTROL_POLICY",
                   "AwsManaged": pid == FULL_AWS_ACCESS}
        summaries.append(summary)
        _write(os.path.join(scp_dir, "policies", f"{pid}.json"),
               {"Policy": {"PolicySummary": summary,
                           "Content": json.dumps(entry["doc"], indent=4)}})
        _write(os.path.join(scp_dir, "targets", f"{pid}.json"), {"Targets": entry["targets"]})
    _write(os.path.join(scp_dir, "policies.json"), {"Policies": summaries})
    result.update(scp=scp_dir, ou_of=parent_of, root=root,
                  ous={o.get("name", o["id"]): o["id"] for o in ous})
    return result


def add_scp(scp_dir: str, policy_id: str, name: str, doc: dict, target: str, kind: str) -> None:
    """Adds an SCP to an SCP export (list-policies, describe-policy, list-targets-for-policy)."""
    with open(os.path.join(scp_dir, "policies.json")) as f:
        listed = json.load(f)
    summary = {"Id": policy_id, "Name": name, "Type": "SERVICE_CONTROL_POLICY",
               "AwsManaged": False, "Description": "", "Arn": f"arn:x:{policy_id}"}
    listed["Policies"].append(summary)
    _write(os.path.join(scp_dir, "policies.json"), listed)
    _write(os.path.join(scp_dir, "policies", f"{policy_id}.json"),
           {"Policy": {"PolicySummary": summary, "Content": json.dumps(doc)}})
    _write(os.path.join(scp_dir, "targets", f"{policy_id}.json"),
           {"Targets": [{"TargetId": target, "Type": kind, "Name": target, "Arn": "arn:x"}]})


def _write(path: str, doc: dict) -> None:
    with open(path, "w") as f:
        json.dump(doc, f, indent=4)
        f.write("\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a lab model file (docs/lab.md)")
    parser.add_argument("--out", required=True, help="writes OUT/iam and OUT/scp")
    parser.add_argument("--accounts", type=int, default=0,
                        help="add this many generated spoke accounts")
    args = parser.parse_args(argv)
    with open(args.model) as f:
        model = json.load(f)
    written = write_export(model, args.out, args.accounts)
    print(f"iam export: {written['iam']}")
    if written["scp"]:
        print(f"scp export: {written['scp']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
