#include "core/keyspace/value.h"

namespace cordis {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZset: return "zset";
    case ValueType::kHash: return "hash";
  }
  return "none";
}

}  // namespace cordis
