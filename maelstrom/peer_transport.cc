#include "maelstrom/peer_transport.h"

#include <charconv>
#include <set>

#include "absl/strings/escaping.h"

namespace cordis::maelstrom {
namespace {

// "n<k>" -> k, for k a plain decimal number without sign or leading zeros.
std::optional<uint32_t> MaelstromIndex(const std::string& name) {
  if (name.size() < 2 || name[0] != 'n') return std::nullopt;
  if (name.size() > 2 && name[1] == '0') return std::nullopt;
  uint32_t k = 0;
  const char* begin = name.data() + 1;
  const char* end = name.data() + name.size();
  auto [p, ec] = std::from_chars(begin, end, k);
  if (ec != std::errc() || p != end || k >= 1'000'000) return std::nullopt;
  return k;
}

}  // namespace

absl::StatusOr<ReplicaDirectory> ReplicaDirectory::Build(const std::vector<std::string>& node_ids,
                                                         const std::string& self) {
  if (node_ids.empty()) return absl::InvalidArgumentError("node_ids is empty");
  std::set<std::string> unique(node_ids.begin(), node_ids.end());
  if (unique.size() != node_ids.size()) return absl::InvalidArgumentError("node_ids has duplicates");
  if (!unique.contains(self)) return absl::InvalidArgumentError("node_ids does not contain node_id");
  bool all_indexed = true;
  for (const std::string& n : node_ids) all_indexed = all_indexed && MaelstromIndex(n).has_value();
  ReplicaDirectory d;
  for (size_t i = 0; i < node_ids.size(); ++i) {
    const std::string& n = node_ids[i];
    ReplicaId id = all_indexed ? *MaelstromIndex(n) + 1 : static_cast<ReplicaId>(i + 1);
    d.ids_[n] = id;
    d.names_[id] = n;
  }
  d.self_ = d.ids_.at(self);
  return d;
}

std::optional<ReplicaId> ReplicaDirectory::IdOf(const std::string& name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ReplicaDirectory::NameOf(ReplicaId id) const {
  auto it = names_.find(id);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

Json EncodePeerBody(const pb::PeerMessage& msg) {
  std::string bytes;
  msg.SerializeToString(&bytes);
  return Json{{"type", kPeerMessageType}, {"data", absl::Base64Escape(bytes)}};
}

absl::StatusOr<pb::PeerMessage> DecodePeerBody(const Json& body) {
  std::optional<std::string> data = StringField(body, "data");
  if (!data) return absl::InvalidArgumentError("peer message without a string \"data\"");
  std::string bytes;
  if (!absl::Base64Unescape(*data, &bytes))
    return absl::InvalidArgumentError("peer message data is not base64");
  pb::PeerMessage msg;
  if (!msg.ParseFromString(bytes))
    return absl::InvalidArgumentError("peer message data is not a PeerMessage");
  return msg;
}

}  // namespace cordis::maelstrom
