#include "core/storage/mem_storage.h"

#include <algorithm>

#include "core/base/strings.h"

namespace cordis {

class MemStorage::File : public WritableFile {
 public:
  File(MemStorage* owner, std::shared_ptr<Inode> inode)
      : owner_(owner), inode_(std::move(inode)), epoch_(owner->epoch_) {}

  absl::Status Append(std::string_view data) override {
    if (absl::Status st = Alive(); !st.ok()) return st;
    inode_->data.append(data);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    if (absl::Status st = Alive(); !st.ok()) return st;
    inode_->synced = inode_->data.size();
    return absl::OkStatus();
  }
  absl::Status Close() override {
    closed_ = true;
    return absl::OkStatus();
  }
  uint64_t size() const override { return inode_->data.size(); }

 private:
  absl::Status Alive() const {
    if (closed_) return absl::FailedPreconditionError("file is closed");
    if (epoch_ != owner_->epoch_) return absl::FailedPreconditionError("handle from before a crash");
    return absl::OkStatus();
  }

  MemStorage* owner_;
  std::shared_ptr<Inode> inode_;
  uint64_t epoch_;
  bool closed_ = false;
};

absl::StatusOr<std::unique_ptr<WritableFile>> MemStorage::NewWritableFile(const std::string& name) {
  auto inode = std::make_shared<Inode>();
  names_[name] = inode;
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, inode));
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemStorage::NewAppendableFile(
    const std::string& name) {
  auto it = names_.find(name);
  if (it == names_.end()) return NewWritableFile(name);
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, it->second));
}

absl::StatusOr<std::string> MemStorage::ReadFile(const std::string& name) {
  auto it = names_.find(name);
  if (it == names_.end()) return absl::NotFoundError(StrCat("no file ", name));
  return it->second->data;
}

absl::Status MemStorage::Rename(const std::string& from, const std::string& to) {
  auto it = names_.find(from);
  if (it == names_.end()) return absl::NotFoundError(StrCat("no file ", from));
  std::shared_ptr<Inode> inode = it->second;
  names_.erase(it);
  names_[to] = std::move(inode);
  return absl::OkStatus();
}

absl::Status MemStorage::Remove(const std::string& name) {
  if (names_.erase(name) == 0) return absl::NotFoundError(StrCat("no file ", name));
  return absl::OkStatus();
}

absl::Status MemStorage::Truncate(const std::string& name, uint64_t size) {
  auto it = names_.find(name);
  if (it == names_.end()) return absl::NotFoundError(StrCat("no file ", name));
  Inode& inode = *it->second;
  if (size < inode.data.size()) inode.data.resize(size);
  inode.synced = inode.data.size();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemStorage::List() {
  std::vector<std::string> out;
  for (const auto& [name, inode] : names_) out.push_back(name);
  return out;
}

absl::StatusOr<uint64_t> MemStorage::FileSize(const std::string& name) {
  auto it = names_.find(name);
  if (it == names_.end()) return absl::NotFoundError(StrCat("no file ", name));
  return static_cast<uint64_t>(it->second->data.size());
}

absl::Status MemStorage::SyncDir() {
  durable_names_ = names_;
  return absl::OkStatus();
}

void MemStorage::Crash(Prng& rng, const CrashOptions& opts) {
  ++epoch_;
  // Every inode reachable now or after the crash loses its unsynced bytes (or part of them).
  std::vector<Inode*> inodes;
  for (auto& [name, inode] : names_) inodes.push_back(inode.get());
  for (auto& [name, inode] : durable_names_) inodes.push_back(inode.get());
  std::sort(inodes.begin(), inodes.end());
  inodes.erase(std::unique(inodes.begin(), inodes.end()), inodes.end());
  // Pointer order is not deterministic: draw randomness in name order instead.
  std::map<Inode*, std::string> first_name;
  for (auto& [name, inode] : durable_names_) first_name.emplace(inode.get(), name);
  for (auto& [name, inode] : names_) first_name.emplace(inode.get(), name);
  std::vector<std::pair<std::string, Inode*>> ordered;
  for (Inode* i : inodes) ordered.emplace_back(first_name[i], i);
  std::sort(ordered.begin(), ordered.end());
  for (auto& [name, inode] : ordered) {
    uint64_t unsynced = inode->data.size() - inode->synced;
    uint64_t keep = inode->synced;
    if (opts.tear_unsynced && unsynced > 0) keep += rng.Uniform(unsynced + 1);
    inode->data.resize(keep);
    if (opts.garbage_tail && unsynced > 0 && rng.Chance(0.5)) {
      uint64_t n = 1 + rng.Uniform(16);
      for (uint64_t i = 0; i < n; ++i) inode->data.push_back(static_cast<char>(rng.Next()));
    }
    inode->synced = inode->data.size();
  }
  names_ = durable_names_;
}

std::string MemStorage::Contents(const std::string& name) const {
  auto it = names_.find(name);
  return it == names_.end() ? std::string() : it->second->data;
}

void MemStorage::SetContents(const std::string& name, std::string data) {
  auto& inode = names_[name];
  if (inode == nullptr) inode = std::make_shared<Inode>();
  inode->data = std::move(data);
  inode->synced = inode->data.size();
}

uint64_t MemStorage::UnsyncedBytes() const {
  uint64_t n = 0;
  for (const auto& [name, inode] : names_) n += inode->data.size() - inode->synced;
  return n;
}

}  // namespace cordis
