#include "sema/Schema.h"

#include "fmt/format.h"

namespace plat::sema {

std::string Type::spelling() const {
  switch (kind) {
  case TypeKind::Any:
    return "any";
  case TypeKind::Scalar:
    return "a string, number or bool";
  case TypeKind::String:
    return format.empty() ? "string" : fmt::format("string ({})", format);
  case TypeKind::Int:
    return "int";
  case TypeKind::Float:
    return "float";
  case TypeKind::Bool:
    return "bool";
  case TypeKind::Quantity:
    return unit ? unit->name : "quantity";
  case TypeKind::Money:
    return "money";
  case TypeKind::MoneyRate:
    return "money per period";
  case TypeKind::Rate:
    return "rate";
  case TypeKind::Enum:
    return enumDef ? enumDef->name : "enum";
  case TypeKind::Record:
    return record ? record->name : "record";
  case TypeKind::Ref: {
    std::string out = "ref<";
    for (size_t i = 0; i < refKinds.size(); ++i)
      out += (i ? " | " : "") + refKinds[i];
    return out + ">";
  }
  case TypeKind::List:
    return "list<" + (element ? element->spelling() : "?") + ">";
  case TypeKind::Map:
    return "map<" + (element ? element->spelling() : "?") + ">";
  case TypeKind::Range:
    return "range<" + (element ? element->spelling() : "?") + ">";
  case TypeKind::Optional:
    return (element ? element->spelling() : "?") + "?";
  case TypeKind::Blocks:
    return "blocks<" + (record ? record->name : "?") + ">";
  case TypeKind::Columns:
    return "columns";
  case TypeKind::ColumnRef:
    return "column reference";
  case TypeKind::TaskRef:
    return "task name";
  case TypeKind::Storage:
    return "storage location";
  case TypeKind::Cron:
    return "cron schedule";
  case TypeKind::InstanceType:
    return "instance type";
  case TypeKind::FrameworkVersion:
    return "framework";
  }
  return "?";
}

const FieldDef *RecordDef::field(llvm::StringRef name) const {
  for (const FieldDef &f : fields)
    if (f.name == name)
      return &f;
  return nullptr;
}

std::vector<std::string> RecordDef::fieldNames() const {
  std::vector<std::string> names;
  for (const FieldDef &f : fields)
    names.push_back(f.name);
  return names;
}

bool EnumDef::has(llvm::StringRef member) const { return index(member) >= 0; }

int EnumDef::index(llvm::StringRef member) const {
  for (size_t i = 0; i < members.size(); ++i)
    if (members[i] == member)
      return static_cast<int>(i);
  return -1;
}

template <typename Map>
static const typename Map::mapped_type *lookup(const Map &map, llvm::StringRef name) {
  auto it = map.find(name.str());
  return it == map.end() ? nullptr : &it->second;
}

const RecordDef *Schema::kind(llvm::StringRef name) const { return lookup(kinds, name); }
const RecordDef *Schema::record(llvm::StringRef name) const { return lookup(records, name); }
const EnumDef *Schema::enumeration(llvm::StringRef name) const { return lookup(enums, name); }
const UnitDef *Schema::unit(llvm::StringRef name) const { return lookup(units, name); }

std::vector<std::string> Schema::kindNames() const {
  std::vector<std::string> names;
  for (const auto &[name, def] : kinds)
    names.push_back(name);
  return names;
}

} // namespace plat::sema
