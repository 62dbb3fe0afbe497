// The built-in model: the seed README's hub-and-spoke example as an organization for the lab
// (`assume-spoke-role lab --print-model` prints it; docs/lab.md explains it).
#include "iam/model.h"

namespace hubspoke::iam {

std::string_view BuiltinModelJson() {
  return R"JSON({
  "description": "The seed README's example: sys-automation -> automation-hub-role (hub 999999999999) -> automation-spoke-role (spokes 888888888888, 777777777777) with external id this-is-my-automation, all in organization o-a1b2c3d4e5, whose management account is the hub account; the hub role and org-reader-role may list the organization.",
  "organization": {
    "id": "o-a1b2c3d4e5",
    "management_account": "999999999999",
    "scps": [
      {
        "name": "FullAWSAccess",
        "document": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        }
      },
      {
        "name": "DenyLeavingTheOrganization",
        "document": {
          "Version": "2012-10-17",
          "Statement": [{"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]
        }
      }
    ]
  },
  "accounts": [
    {"id": "111111111111", "name": "identity"},
    {"id": "999999999999", "name": "hub"},
    {"id": "888888888888", "name": "spoke-a"},
    {"id": "777777777777", "name": "spoke-b"}
  ],
  "users": [
    {
      "account": "111111111111",
      "name": "sys-automation",
      "access_keys": [
        {"id": "AKIALABEXAMPLE000001", "secret": "labSecretKey/sysAutomation/EXAMPLEKEY001"}
      ],
      "policies": [
        {
          "name": "assume-hub-role",
          "document": {
            "Version": "2012-10-17",
            "Statement": [
              {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": ["arn:aws:iam::999999999999:role/automation-hub-role"]
              },
              {
                "Sid": "AssumeTheOrgReader",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::999999999999:role/org-reader-role"
              }
            ]
          }
        }
      ]
    }
  ],
  "roles": [
    {
      "account": "999999999999",
      "name": "automation-hub-role",
      "max_session_duration": 3600,
      "trust_policy": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:user/sys-automation"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
          }
        ]
      },
      "policies": [
        {
          "name": "assume-spoke-roles",
          "document": {
            "Version": "2012-10-17",
            "Statement": [
              {
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": "arn:aws:iam::*:role/automation-spoke-role",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
              },
              {
                "Sid": "ListTheOrganization",
                "Effect": "Allow",
                "Action": ["organizations:List*", "organizations:Describe*"],
                "Resource": "*"
              }
            ]
          }
        }
      ]
    },
    {
      "accounts": ["888888888888", "777777777777"],
      "name": "automation-spoke-role",
      "max_session_duration": 3600,
      "trust_policy": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "TrustTheHubRole",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
            "Action": "sts:AssumeRole",
            "Condition": {
              "StringEquals": {
                "aws:PrincipalOrgID": "o-a1b2c3d4e5",
                "sts:ExternalId": "this-is-my-automation"
              }
            }
          }
        ]
      },
      "policies": [
        {
          "name": "read-only",
          "document": {
            "Version": "2012-10-17",
            "Statement": [
              {"Effect": "Allow", "Action": ["ec2:Describe*", "iam:Get*", "iam:List*", "s3:Get*", "s3:List*"], "Resource": "*"}
            ]
          }
        }
      ]
    },
    {
      "account": "999999999999",
      "name": "github-deploy-role",
      "trust_policy": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "GitHubActionsOfOneRepository",
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
              "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
              "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/infrastructure:*"}
            }
          }
        ]
      },
      "policies": [
        {
          "name": "assume-spoke-roles",
          "document": {
            "Version": "2012-10-17",
            "Statement": [
              {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/automation-spoke-role"}
            ]
          }
        }
      ]
    },
    {
      "account": "999999999999",
      "name": "org-reader-role",
      "trust_policy": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "TrustTheAutomationUser",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:user/sys-automation"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
          }
        ]
      },
      "policies": [
        {
          "name": "read-the-organization",
          "document": {
            "Version": "2012-10-17",
            "Statement": [
              {"Effect": "Allow", "Action": ["organizations:List*", "organizations:Describe*"], "Resource": "*"}
            ]
          }
        }
      ]
    }
  ],
  "oidc_providers": [
    {"account": "999999999999", "url": "https://token.actions.githubusercontent.com", "client_ids": ["sts.amazonaws.com"]}
  ]
}
)JSON";
}

}  // namespace hubspoke::iam
