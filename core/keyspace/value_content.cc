#include "core/keyspace/value_content.h"

#include "core/base/check.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"

namespace cordis {

ContentPayload ContentOf(const Value& v) {
  ContentPayload c;
  auto keep = [&c](std::string_view s) -> std::string_view { return c.storage.emplace_back(s); };
  switch (v.type()) {
    case ValueType::kString: {
      std::string scratch;
      c.payload = delta::StrAssign{keep(static_cast<const StringValue&>(v).Get(&scratch))};
      break;
    }
    case ValueType::kSet: {
      delta::SetAdd add;
      static_cast<const SetValue&>(v).ForEach([&](std::string_view m) { add.members.push_back(keep(m)); });
      c.payload = std::move(add);
      break;
    }
    case ValueType::kHash: {
      delta::HashSet set;
      static_cast<const HashValue&>(v).ForEach([&](std::string_view f, std::string_view val) {
        set.fields.emplace_back(keep(f), keep(val));
      });
      c.payload = std::move(set);
      break;
    }
    case ValueType::kZset: {
      delta::ZsetAdd add;
      for (const auto& [member, score] : static_cast<const ZsetValue&>(v).Contents())
        add.items.emplace_back(score, keep(member));
      c.payload = std::move(add);
      break;
    }
    case ValueType::kList: {
      // A ListInsert at the head places values in reverse (LPUSH a b c gives c b a), so the
      // copy lists them tail first.
      delta::ListInsert ins;
      std::vector<std::string> values = static_cast<const ListValue&>(v).Contents();
      for (auto it = values.rbegin(); it != values.rend(); ++it) ins.values.push_back(keep(*it));
      c.payload = std::move(ins);
      break;
    }
  }
  return c;
}

}  // namespace cordis
