// IamWorld and loading it from the lab's model file (iam_world.h).
#include "hubspoke/iam_world.h"

#include "iam/model.h"

namespace hubspoke {

IamWorld::IamWorld(std::shared_ptr<const iam::Model> model) : model_(std::move(model)) {}

std::size_t IamWorld::accounts() const { return model_->accounts.size(); }
std::size_t IamWorld::users() const { return model_->users.size(); }
std::size_t IamWorld::roles() const { return model_->roles.size(); }
const std::string& IamWorld::organization_id() const { return model_->organization_id; }

std::string IamWorld::UserWithAccessKey(const std::string& id) const {
  const iam::AccessKey* key = nullptr;
  const iam::User* user = model_->FindUserByAccessKey(id, &key);
  return user ? user->arn : std::string();
}

std::size_t IamWorld::service_control_policies() const {
  std::size_t n = model_->organization_scps.size();
  for (const auto& ou : model_->organizational_units) n += ou.scps.size();
  for (const auto& account : model_->accounts) n += account.scps.size();
  return n;
}

Result<IamWorld> LoadIamModelFile(const FileSystem& files, const std::string& path) {
  auto file = files.Read(path, {.max_bytes = 64 << 20});
  if (!file.ok()) return Error(ErrorCode::kInvalidArgument, ReadFileError("model file", path, file));
  auto model = iam::ParseModel(file.bytes, path);
  if (!model) return model.error();
  return IamWorld(std::make_shared<const iam::Model>(std::move(*model)));
}

}  // namespace hubspoke
