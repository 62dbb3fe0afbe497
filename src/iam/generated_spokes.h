// Generated spoke accounts: `lab --spokes N` and the model's "organization.spokes" turn a small
// model into an organization of thousands of accounts for fan-out tests. Pure and
// deterministic: the same model and N give the same accounts, OUs and roles on every run.
//
// Layout (docs/lab.md "Generated spokes"), with R the root id's part after "r-":
//   root
//   ├── ou-R-workloads    "Workloads"     spokes 4, 8, 12, …
//   │   ├── ou-R-prodaccts    "Prod"      spokes 1, 5, 9, …
//   │   └── ou-R-nonprodaccts "NonProd"   spokes 2, 6, 10, …
//   └── ou-R-sandboxes    "Sandbox"       spokes 3, 7, 11, …
// Spoke i (1-based) is account 200000000000 + i (the next free id when the model already has
// that one), named "spoke-0001" (at least 4 digits), email aws+ID@example.com, ACTIVE, with an
// `automation-spoke-role` like the built-in model's spokes: trusting
// arn:aws:iam::999999999999:role/automation-hub-role with aws:PrincipalOrgID = the model's
// organization and sts:ExternalId = "this-is-my-automation", and a read-only identity policy.
#pragma once

#include <cstddef>

#include "hubspoke/result.h"
#include "iam/model.h"

namespace hubspoke::iam {

inline constexpr std::size_t kMaxGeneratedSpokes = 100000;

// Adds `count` spokes (1..kMaxGeneratedSpokes) to `model`, which must have an organization and
// no generated spokes yet. kInvalidArgument, naming `field` ("--spokes", "$.organization.spokes"),
// for a count out of range, a model without an organization, or when one of the generated OU
// ids is already in the model.
Status AddGeneratedSpokes(Model& model, std::size_t count, std::string_view field);

}  // namespace hubspoke::iam
