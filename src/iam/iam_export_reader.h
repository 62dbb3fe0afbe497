// Shared by the two halves of ModelFromExports (iam_export.cc: the IAM account files,
// iam_export_organization.cc: the Organizations files): parsing one export file and reading
// its members where AWS may add fields at any time, so unknown members are ignored and only
// wrong types are errors. Internal to src/iam/.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hubspoke/result.h"
#include "iam/iam_export.h"
#include "iam/model.h"

namespace hubspoke::iam::export_reader {

using nlohmann::json;

// "<source>: <file>: <message>": the one-line form of every export error.
Error InFile(const Error& error, std::string_view source, const ExportFile& file);
Result<json> ParseExportJson(const ExportFile& file);
// `value` must be an object ("$", "$.Roles[0]").
Status ExpectObject(const json& value, const std::string& path);
// The array member `key`, nullptr when absent; an error when it is not an array.
Result<const json*> OptionalArray(const json& object, const std::string& path, const char* key);
// The object member `key`, nullptr when absent; an error when it is not an object.
Result<const json*> OptionalObject(const json& object, const std::string& path, const char* key);
// A policy document as the exports carry it: a JSON object (the AWS CLI decodes documents) or a
// string, URL-encoded (the raw API: "%7B%22Version%22…") or plain JSON text.
Result<policy::NamedPolicy> ParseExportDocument(const json& doc, const std::string& path,
                                                std::string name, policy::PolicyKind kind,
                                                std::string scp_group = "");
// RFC 3986 percent-decoding; "%zz" and a cut "%4" are errors.
Result<std::string> UrlDecode(std::string_view text);
// The account field of an ARN ("arn:aws:iam::111111111111:role/x" → "111111111111"), or "".
std::string ArnAccount(std::string_view arn);

// What the Organizations export adds to the model built from the IAM files.
struct OrganizationExport {
  std::string organization_id;
  std::string management_account;
};
// describe-organization output: {"Organization": {"Id", "MasterAccountId", …}}.
Result<OrganizationExport> ParseDescribeOrganization(const json& root);

// The SCP export (see docs/policies.md, "Exporting a real organization") applied to `m`, whose
// accounts are the IAM export's: the organization, its root and tree, accounts outside the tree
// leave the organization, SCPs attach where list-targets-for-policy says.
Status ApplyOrganizationExport(const std::vector<ExportFile>& files, std::string_view source,
                               Model& m);

}  // namespace hubspoke::iam::export_reader
