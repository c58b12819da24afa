#include "prod/peer_manager.h"

#include <algorithm>
#include <chrono>

#include "core/base/strings.h"
#include "spdlog/spdlog.h"

namespace cordis::prod {
namespace {

constexpr int64_t kLagWindowMs = 60'000;  // lag_ms is reported up to this far back

int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsWildcard(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "*";
}

uint64_t Total(const VersionVector& vv) {
  uint64_t n = 0;
  for (const auto& [r, seq] : vv.entries()) n += seq;
  return n;
}

std::string VectorText(const VersionVector& vv) {
  std::string s;
  for (const auto& [r, seq] : vv.entries()) StrAppend(&s, s.empty() ? "" : "/", r, ":", seq);
  return s;
}

}  // namespace

PeerManager::PeerManager(asio::io_context& io, PeerOptions opts, ReplicaId self, uint64_t seed)
    : io_(io),
      opts_(std::move(opts)),
      self_(self),
      rng_(seed),
      instance_(rng_.Next() | 1),
      acceptor_(io),
      tick_timer_(io) {}

PeerManager::~PeerManager() = default;

absl::Status PeerManager::Attach(Node* node) {
  node_ = node;
  // A node started to join peers must not compact what it writes before it knows them (their
  // concurrent ops could not apply afterwards): see Node::ExpectPeers.
  if (!opts_.peers.empty()) node_->ExpectPeers();
  if (opts_.member_file.empty()) return absl::OkStatus();
  absl::StatusOr<std::map<ReplicaId, MemberAddr>> known = ReadMemberFile(opts_.member_file);
  if (!known.ok()) return known.status();
  if (known->size() > (known->contains(self_) ? 1u : 0u)) node_->ExpectPeers();
  for (const auto& [r, addr] : *known) {
    if (r == self_) continue;
    members_[r].addr = addr;
    node_->AddMember(r);
    if (addr.port != 0) AddTarget(addr.host, addr.port, r);
  }
  if (!known->empty())
    spdlog::info("Replica set from {}: {} peer(s)", opts_.member_file, members_.size());
  return absl::OkStatus();
}

absl::Status PeerManager::Start(int client_port) {
  bool defaulted = opts_.port < 0;
  int port = defaulted ? client_port + 10000 : opts_.port;
  announce_host_ = !opts_.announce_host.empty() ? opts_.announce_host
                   : IsWildcard(opts_.bind)     ? ""
                                                : opts_.bind;
  asio::error_code ec;
  if (port > 65535) {
    ec = asio::error::invalid_argument;
  } else {
    auto address = asio::ip::make_address(opts_.bind, ec);
    if (!ec) {
      asio::ip::tcp::endpoint ep(address, static_cast<uint16_t>(port));
      acceptor_.open(ep.protocol(), ec);
      if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor_.bind(ep, ec);
      if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
  }
  if (ec) {
    std::string what =
        StrCat("cannot listen on peer port ", opts_.bind, ":", port, ": ", ec.message());
    if (!defaulted) return absl::UnavailableError(what);
    // The default port (client port + 10000) is a convenience: without it this node still
    // dials its peers, but none can dial it. Name --peer-port to make this an error.
    spdlog::warn("{}; peers cannot connect to this node (set --peer-port)", what);
    asio::error_code ignored;
    acceptor_.close(ignored);
  } else {
    peer_port_ = acceptor_.local_endpoint().port();
    Accept();
    spdlog::info("Peer port {}:{} (cluster '{}', replica {})", opts_.bind, peer_port_,
                 opts_.cluster_name, self_);
  }
  for (const std::string& p : opts_.peers) {
    size_t colon = p.rfind(':');
    std::optional<int64_t> pp;
    if (colon != std::string::npos) {
      int64_t v = 0;
      std::string digits = p.substr(colon + 1);
      bool ok =
          !digits.empty() && digits.size() <= 5 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (ok) v = std::stoll(digits);
      if (ok && v >= 1 && v <= 65535) pp = v;
    }
    if (!pp || colon == 0)
      return absl::InvalidArgumentError(StrCat("--peers: bad address '", p, "' (want host:port)"));
    AddTarget(p.substr(0, colon), static_cast<int>(*pp), 0);
  }
  for (auto& t : targets_) Dial(t.get());
  ScheduleTick();
  return absl::OkStatus();
}

void PeerManager::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  asio::error_code ec;
  acceptor_.close(ec);
  tick_timer_.cancel();
  for (auto& t : targets_) {
    if (t->resolver) t->resolver->cancel();
    if (t->socket) t->socket->close(ec);
  }
  std::vector<std::shared_ptr<PeerLink>> all;
  for (auto& [p, l] : links_) all.push_back(l);
  for (auto& l : all) l->Close("shutting down");
}

void PeerManager::Accept() {
  acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      spdlog::warn("peer accept failed: {}", ec.message());
    } else {
      auto l = std::make_shared<PeerLink>(*this, std::move(socket), /*dialed=*/false,
                                          opts_.queue_limit, opts_.max_frame_bytes);
      links_.emplace(l.get(), l);
      l->Start(SteadyNowUs());
    }
    Accept();
  });
}

void PeerManager::ScheduleTick() {
  tick_timer_.expires_after(std::chrono::milliseconds(opts_.tick_ms));
  tick_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    OnTick();
    ScheduleTick();
  });
}

void PeerManager::OnTick() {
  int64_t now_us = WallNowUs();
  Housekeeping(SteadyNowUs());
  node_->ReplicationTick(now_us);
  int64_t now_ms = now_us / 1000;
  samples_.emplace_back(now_ms, node_->version_vector());
  while (samples_.size() > 2 && samples_.front().first < now_ms - kLagWindowMs)
    samples_.pop_front();
  SendOutbox();
}

// Timeouts on links, and dials that are due.
void PeerManager::Housekeeping(int64_t now_us) {
  int64_t timeout_us = opts_.timeout_ms * 1000;
  std::vector<std::pair<std::shared_ptr<PeerLink>, std::string>> expired;
  for (auto& [p, l] : links_) {
    if (l->state() == PeerLink::State::kHandshaking && now_us - l->started_us() > timeout_us) {
      expired.emplace_back(l, "handshake timed out");
    } else if (l->write_started_us() != 0 && now_us - l->write_started_us() > timeout_us) {
      expired.emplace_back(l, StrCat("a write made no progress for ", opts_.timeout_ms, " ms"));
    } else if (!l->dialed() && now_us - l->last_read_us() > timeout_us) {
      expired.emplace_back(l, StrCat("nothing received for ", opts_.timeout_ms, " ms"));
    }
  }
  for (auto& [l, why] : expired) l->Close(why);
  for (auto& t : targets_) {
    if (t->connecting && now_us - t->connect_started_us > timeout_us) {
      asio::error_code ec;
      if (t->socket) t->socket->close(ec);  // the connect handler fails and retries
      if (t->resolver) t->resolver->cancel();
    }
    if (!t->retired && !t->connecting && t->link == nullptr && now_us >= t->next_attempt_us)
      Dial(t.get());
  }
}

PeerManager::Target* PeerManager::AddTarget(const std::string& host, int port, ReplicaId replica) {
  for (auto& t : targets_) {
    if (t->host == host && t->port == port) {
      if (replica != 0) t->replica = replica;
      t->retired = false;
      return t.get();
    }
  }
  auto t = std::make_unique<Target>();
  t->host = host;
  t->port = port;
  t->replica = replica;
  targets_.push_back(std::move(t));
  return targets_.back().get();
}

void PeerManager::Dial(Target* t) {
  if (stopping_ || t->connecting || t->link != nullptr || t->retired) return;
  t->connecting = true;
  t->connect_started_us = SteadyNowUs();
  // A numeric address needs no resolver: Asio resolves on a thread of its own, and the event loop
  // runs that thread's completions only on its next Asio turn (ClientPoller::Run).
  asio::error_code addr_ec;
  const asio::ip::address addr = asio::ip::make_address(t->host, addr_ec);
  if (!addr_ec && t->port > 0 && t->port <= 65535) {
    t->socket = std::make_shared<asio::ip::tcp::socket>(io_);
    t->socket->async_connect(asio::ip::tcp::endpoint(addr, static_cast<uint16_t>(t->port)),
                             [this, t](const asio::error_code& ec) { Connected(t, ec); });
    return;
  }
  t->resolver = std::make_shared<asio::ip::tcp::resolver>(io_);
  t->resolver->async_resolve(
      t->host, std::to_string(t->port),
      [this, t](const asio::error_code& ec, asio::ip::tcp::resolver::results_type results) {
        if (stopping_) return;
        if (ec) return DialFailed(t, "cannot resolve: " + ec.message());
        t->socket = std::make_shared<asio::ip::tcp::socket>(io_);
        asio::async_connect(*t->socket, results,
                            [this, t](const asio::error_code& cec, const asio::ip::tcp::endpoint&) {
                              Connected(t, cec);
                            });
      });
}

void PeerManager::Connected(Target* t, const asio::error_code& ec) {
  if (stopping_) return;
  if (ec) return DialFailed(t, ec.message());
  OnConnected(t);
}

void PeerManager::DialFailed(Target* t, const std::string& why) {
  t->connecting = false;
  t->socket.reset();
  t->resolver.reset();
  Retry(t, why);
}

// Exponential backoff with jitter: min * 2^attempts, capped, times a random factor in [0.5, 1).
void PeerManager::Retry(Target* t, const std::string& why) {
  int shift = std::min(t->attempts, 20);
  int64_t backoff = std::min(opts_.backoff_max_ms, opts_.backoff_min_ms << shift);
  backoff =
      backoff / 2 + static_cast<int64_t>(rng_.Uniform(static_cast<uint64_t>(backoff / 2) + 1));
  // The first failure after being connected is worth a warning; repeats are debug noise.
  if (t->attempts == 0 || why != t->last_error) {
    spdlog::warn("peer {}{}: {}; retrying in {} ms", t->Name(),
                 t->replica != 0 ? StrCat(" (replica ", t->replica, ")") : std::string(), why,
                 backoff);
  } else {
    spdlog::debug("peer {}: {}; retrying in {} ms", t->Name(), why, backoff);
  }
  t->last_error = why;
  ++t->attempts;
  t->next_attempt_us = SteadyNowUs() + backoff * 1000;
}

void PeerManager::OnConnected(Target* t) {
  t->connecting = false;
  if (t->retired) {  // replaced by another address while connecting
    asio::error_code ec;
    t->socket->close(ec);
    t->socket.reset();
    return;
  }
  auto l = std::make_shared<PeerLink>(*this, std::move(*t->socket), /*dialed=*/true,
                                      opts_.queue_limit, opts_.max_frame_bytes);
  t->socket.reset();
  t->resolver.reset();
  t->link = l;
  dialed_[l.get()] = t;
  links_.emplace(l.get(), l);
  l->Start(SteadyNowUs());
  l->Queue(HelloFrame());
  l->Flush();
}

pb::PeerFrame PeerManager::HelloFrame() const {
  pb::PeerFrame f;
  pb::Hello* h = f.mutable_hello();
  h->set_format_version(pb::FORMAT_VERSION_1);
  h->set_cluster_name(opts_.cluster_name);
  h->set_replica(self_);
  h->set_secret(opts_.secret);
  h->set_instance(instance_);
  FillSelfAddress(h->mutable_self());
  FillMemberAddresses(h->mutable_members());
  return f;
}

void PeerManager::FillSelfAddress(pb::MemberAddress* a) const {
  a->set_replica(self_);
  a->set_host(announce_host_);
  a->set_port(static_cast<uint32_t>(peer_port_));
}

void PeerManager::FillMemberAddresses(
    google::protobuf::RepeatedPtrField<pb::MemberAddress>* out) const {
  for (const auto& [r, m] : members_) {
    if (m.addr.port == 0) continue;  // known only by id (from a peer's ops), not dialable
    pb::MemberAddress* a = out->Add();
    a->set_replica(r);
    a->set_host(m.addr.host);
    a->set_port(static_cast<uint32_t>(m.addr.port));
  }
}

absl::Status PeerManager::CheckHello(const pb::Hello& h) const {
  if (h.format_version() != pb::FORMAT_VERSION_1)
    return absl::FailedPreconditionError(StrCat("format version ", h.format_version(),
                                                " (this node speaks ", pb::FORMAT_VERSION_1, ")"));
  if (h.cluster_name() != opts_.cluster_name)
    return absl::FailedPreconditionError(StrCat("cluster name '", h.cluster_name(),
                                                "' differs from ours '", opts_.cluster_name, "'"));
  if (h.secret() != opts_.secret)
    return absl::PermissionDeniedError("wrong peer secret (--peer-secret differs)");
  if (h.replica() == 0) return absl::InvalidArgumentError("replica id 0");
  if (h.replica() == self_)
    return absl::FailedPreconditionError(
        StrCat("replica id ", self_,
               " is our own (replica ids must be unique, or this node dialed itself)"));
  return absl::OkStatus();
}

void PeerManager::OnLinkFrame(PeerLink* l, pb::PeerFrame& f) {
  switch (f.body_case()) {
    case pb::PeerFrame::kHello:
      if (l->state() != PeerLink::State::kHandshaking) return l->Close("a second handshake");
      return OnHello(l, f.hello());
    case pb::PeerFrame::kReject: {
      auto it = dialed_.find(l);
      if (it != dialed_.end() && f.reject().self_dial()) {
        spdlog::info("peer {} is this node's own peer port; not dialing it", it->second->Name());
        it->second->retired = true;
        return l->Close("own address");
      }
      spdlog::error("peer {} refused our handshake: {}", l->remote(), f.reject().reason());
      if (it != dialed_.end()) it->second->attempts = 30;  // the longest backoff: needs a fix
      return l->Close("handshake refused");
    }
    case pb::PeerFrame::kMessage:
      if (l->state() != PeerLink::State::kConnected) return l->Close("data before the handshake");
      return OnPeerMessage(l, f.message());
    case pb::PeerFrame::kGossip:
      if (l->state() != PeerLink::State::kConnected) return l->Close("gossip before the handshake");
      for (const pb::MemberAddress& a : f.gossip().members())
        Learn(a.replica(), a, l->remote_ip(), /*authoritative=*/a.replica() == l->replica());
      return;
    case pb::PeerFrame::BODY_NOT_SET:
      break;
  }
  l->Close("frame without a body");
}

void PeerManager::OnHello(PeerLink* l, const pb::Hello& h) {
  if (!l->dialed() && h.instance() == instance_) {
    pb::PeerFrame reject;
    reject.mutable_reject()->set_reason("this node's own peer port");
    reject.mutable_reject()->set_self_dial(true);
    l->Queue(reject);
    return l->CloseAfterFlush("own address");
  }
  if (absl::Status st = CheckHello(h); !st.ok()) {
    spdlog::error("peer {} (replica {}): handshake refused, no state changed: {}", l->remote(),
                  h.replica(), std::string(st.message()));
    if (l->dialed()) {
      auto it = dialed_.find(l);
      if (it != dialed_.end()) it->second->attempts = 30;
      return l->Close("handshake refused");
    }
    pb::PeerFrame reject;
    reject.mutable_reject()->set_reason(std::string(st.message()));
    l->Queue(reject);
    return l->CloseAfterFlush("handshake refused");
  }
  ReplicaId r = h.replica();
  l->Established(r);
  // Membership first (a new member is added to the node before any of its messages).
  Learn(r, h.self(), l->remote_ip(), /*authoritative=*/true);
  for (const pb::MemberAddress& a : h.members()) Learn(a.replica(), a, l->remote_ip(), false);
  if (l->dialed()) {
    Target* t = dialed_.at(l);
    if (t->replica != 0 && t->replica != r)
      spdlog::warn("peer {} is now replica {} (was replica {})", t->Name(), r, t->replica);
    // Another address already reaches this replica (e.g. "localhost" and "127.0.0.1"): keep one.
    for (auto& other : targets_) {
      if (other.get() != t && !other->retired && other->replica == r && other->link != nullptr &&
          other->link->state() == PeerLink::State::kConnected) {
        spdlog::info("peer {} is replica {}, already connected at {}; dropping the duplicate",
                     t->Name(), r, other->Name());
        t->retired = true;
        return l->Close("duplicate connection");
      }
    }
    t->replica = r;
    t->attempts = 0;
    t->last_error.clear();
    ++t->reconnects;
    spdlog::info("Connected to peer replica {} at {}", r, t->Name());
  } else {
    Member& m = members_[r];
    if (m.inbound != nullptr && m.inbound.get() != l)
      m.inbound->Close("replaced by a new connection");
    m.inbound = links_.at(l);
    l->Queue(HelloFrame());
    l->Flush();
    spdlog::info("Peer replica {} connected from {}", r, l->remote());
  }
}

void PeerManager::OnPeerMessage(PeerLink* l, const pb::PeerMessage& m) {
  if (m.from() != l->replica()) {
    return l->Close(
        StrCat("message from replica ", m.from(), " on replica ", l->replica(), "'s link"));
  }
  uint64_t installed = node_->stats().snapshots_installed;
  absl::Status st = node_->OnPeerMessage(m, WallNowUs());
  if (st.code() == absl::StatusCode::kFailedPrecondition) {
    // Well-formed but refused for good (ops concurrent with what this node compacted before the
    // peer joined): reconnecting would only repeat it. Keep the link, say so now and then.
    Member& mem = members_[l->replica()];
    int64_t now_ms = WallNowUs() / 1000;
    if (now_ms - mem.last_refusal_log_ms >= 10'000) {
      mem.last_refusal_log_ms = now_ms;
      spdlog::error("peer replica {}: its ops are refused: {}", l->replica(),
                    std::string(st.message()));
    }
    ++mem.messages_refused;
    return;
  }
  if (!st.ok()) {
    spdlog::error("peer replica {}: message refused, closing the link: {}", l->replica(),
                  st.ToString());
    return l->Close("message refused");
  }
  if (node_->stats().snapshots_installed > installed) {
    ++members_[l->replica()].snapshots_installed;
    spdlog::info("Installed a snapshot from replica {} ({} bytes received so far)", l->replica(),
                 l->bytes_received());
  }
}

void PeerManager::OnLinkInputDone(PeerLink*) {
  if (on_input_) on_input_();
}

void PeerManager::OnLinkClosed(PeerLink* l, const std::string& why) {
  std::shared_ptr<PeerLink> keep;
  if (auto it = links_.find(l); it != links_.end()) {
    keep = it->second;
    links_.erase(it);
  }
  if (l->replica() != 0) {
    Member& m = members_[l->replica()];
    m.bytes_sent += l->bytes_sent();
    m.bytes_received += l->bytes_received();
    m.queue_drops += l->drops();
    if (m.inbound.get() == l) m.inbound.reset();
  }
  if (auto it = dialed_.find(l); it != dialed_.end()) {
    Target* t = it->second;
    dialed_.erase(it);
    t->link.reset();
    if (!stopping_ && !t->retired) Retry(t, why);
  } else if (!stopping_ && l->replica() != 0) {
    spdlog::info("Peer replica {} ({}) disconnected: {}", l->replica(), l->remote(), why);
  } else if (!stopping_ && why != "own address") {
    spdlog::warn("peer connection from {} closed: {}", l->remote(), why);
  }
  // The link may be inside one of its own handlers: free it after this turn.
  if (keep) asio::post(io_, [keep] {});
}

void PeerManager::Learn(ReplicaId r, const pb::MemberAddress& a, const std::string& from_ip,
                        bool authoritative) {
  if (r == 0 || r == self_) return;
  std::string host = a.host().empty() ? from_ip : a.host();
  int port = static_cast<int>(a.port());
  if (port <= 0 || port > 65535) port = 0;
  bool is_new = !members_.contains(r);
  Member& m = members_[r];
  bool changed = is_new;
  if (is_new) {
    node_->AddMember(r);
    spdlog::info("New member: replica {} at {}:{}", r, host, port);
  }
  if (port != 0 &&
      (m.addr.port == 0 || (authoritative && (m.addr.host != host || m.addr.port != port)))) {
    if (m.addr.port != 0)
      spdlog::info("Replica {} moved from {}:{} to {}:{}", r, m.addr.host, m.addr.port, host, port);
    m.addr = MemberAddr{host, port};
    changed = true;
    Target* t = DataTarget(r);
    if (t == nullptr) {
      for (auto& other : targets_)
        if (other->replica == r && !other->retired) t = other.get();
    }
    if (t == nullptr) {
      t = AddTarget(host, port, r);
      Dial(t);
    } else if (t->link == nullptr && (t->host != host || t->port != port)) {
      // Not connected at the old address: dial the new one now.
      t->retired = true;
      Target* nt = AddTarget(host, port, r);
      nt->attempts = 0;
      nt->next_attempt_us = 0;
      Dial(nt);
    }
  }
  if (changed) MembershipChanged();
}

// Persists the member list and tells every connected peer.
void PeerManager::MembershipChanged() {
  if (!opts_.member_file.empty()) {
    std::map<ReplicaId, MemberAddr> all;
    for (const auto& [r, m] : members_) all[r] = m.addr;
    if (absl::Status st = WriteMemberFile(opts_.member_file, all); !st.ok())
      spdlog::error("{}", std::string(st.message()));
  }
  pb::PeerFrame f;
  pb::Gossip* g = f.mutable_gossip();
  FillSelfAddress(g->add_members());
  FillMemberAddresses(g->mutable_members());
  for (auto& t : targets_) {
    if (t->link != nullptr && t->link->state() == PeerLink::State::kConnected) {
      t->link->Queue(f);
      t->link->Flush();
    }
  }
}

PeerManager::Target* PeerManager::DataTarget(ReplicaId r) const {
  for (const auto& t : targets_) {
    if (t->replica == r && t->link != nullptr && t->link->state() == PeerLink::State::kConnected)
      return t.get();
  }
  return nullptr;
}

const PeerLink* PeerManager::DataLink(ReplicaId r) const {
  Target* t = DataTarget(r);
  return t != nullptr ? t->link.get() : nullptr;
}

void PeerManager::SendOutbox() {
  std::vector<Outgoing> out = node_->TakeOutbox();
  if (out.empty()) return;
  std::map<ReplicaId, PeerLink*> route;
  for (const auto& t : targets_) {
    if (t->replica != 0 && t->link != nullptr && t->link->state() == PeerLink::State::kConnected)
      route[t->replica] = t->link.get();
  }
  std::set<PeerLink*> touched;
  pb::PeerFrame f;
  for (Outgoing& o : out) {
    auto it = route.find(o.to);
    bool snapshot = o.msg.has_snapshot();
    if (it == route.end()) {
      ++members_[o.to].messages_dropped;  // the core resends after the peer's next Have
      continue;
    }
    f.mutable_message()->Swap(&o.msg);
    it->second->Queue(f);
    touched.insert(it->second);
    if (snapshot) {
      ++members_[o.to].snapshots_sent;
      spdlog::info("Sending a snapshot to replica {} ({} bytes)", o.to, f.ByteSizeLong());
    }
  }
  for (PeerLink* l : touched) l->Flush();
}

absl::Status PeerManager::Meet(const std::string& host, int port) {
  if (host.empty()) return absl::InvalidArgumentError("empty host");
  if (port == peer_port_ && (host == announce_host_ || host == "127.0.0.1" || host == "localhost"))
    return absl::InvalidArgumentError("that is this node's own peer port");
  Target* t = AddTarget(host, port, 0);
  t->attempts = 0;
  t->next_attempt_us = 0;
  spdlog::info("MEET {}:{}", host, port);
  Dial(t);
  return absl::OkStatus();
}

std::string PeerManager::StateOf(ReplicaId r) const {
  bool handshaking = false;
  for (const auto& t : targets_) {
    if (t->replica != r || t->link == nullptr) continue;
    if (t->link->state() == PeerLink::State::kConnected) return "connected";
    handshaking = true;
  }
  return handshaking ? "handshaking" : "down";
}

// How long ago we last had nothing the peer lacks: the age of the newest tick sample its last
// Have covers (0 when it covers what we have now).
int64_t PeerManager::LagMs(ReplicaId r, int64_t now_ms) const {
  VersionVector have = node_->PeerHave(r);
  if (have.Dominates(node_->version_vector())) return 0;
  for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
    if (have.Dominates(it->second)) return now_ms - it->first;
  }
  return samples_.empty() ? 0 : now_ms - samples_.front().first;
}

void PeerManager::AppendInfo(std::string* out, int64_t now_us) const {
  auto line = [out](std::string_view k, const auto& v) { StrAppend(out, k, ":", v, "\r\n"); };
  size_t connected = 0;
  for (const auto& [r, m] : members_) connected += StateOf(r) == "connected" ? 1 : 0;
  line("cluster_name", opts_.cluster_name);
  line("peer_port", peer_port_);
  line("replication_tick_ms", opts_.tick_ms);
  line("connected_peers", connected);
  line("peers", members_.size());
  int i = 0;
  for (const auto& [r, m] : members_) {
    VersionVector have = node_->PeerHave(r);
    uint64_t lag_ops = 0;
    for (const auto& [o, seq] : node_->version_vector().entries())
      lag_ops += seq > have.Get(o) ? seq - have.Get(o) : 0;
    uint64_t sent = m.bytes_sent, received = m.bytes_received, drops = m.queue_drops;
    size_t queued = 0;
    for (const auto& [p, l] : links_) {
      if (l->replica() != r) continue;
      sent += l->bytes_sent();
      received += l->bytes_received();
      drops += l->drops();
      queued += l->queued_bytes();
    }
    StrAppend(out, "peer", i++, ":id=", r, ",addr=", m.addr.host, ":", m.addr.port,
              ",state=", StateOf(r), ",inbound=", m.inbound != nullptr ? "up" : "down",
              ",have=", VectorText(have), ",lag_ops=", lag_ops, ",lag_ms=", LagMs(r, now_us / 1000),
              ",bytes_sent=", sent, ",bytes_received=", received,
              ",snapshots_sent=", m.snapshots_sent, ",snapshots_installed=", m.snapshots_installed,
              ",queued_bytes=", queued, ",queue_drops=", drops,
              ",messages_dropped=", m.messages_dropped, ",messages_refused=", m.messages_refused,
              "\r\n");
  }
}

std::vector<ReplicationControl::PeerRole> PeerManager::Peers() const {
  std::vector<PeerRole> out;
  for (const auto& [r, m] : members_) {
    out.push_back(PeerRole{.host = m.addr.host,
                           .port = m.addr.port,
                           .replica = r,
                           .state = StateOf(r),
                           .acked_ops = Total(node_->PeerHave(r))});
  }
  return out;
}

}  // namespace cordis::prod
