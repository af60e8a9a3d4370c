#pragma once
/// System variables (MySQL's @@name) and user variables (@name). The table of known system
/// variables, their defaults, types and scopes lives in session_variables.cpp. Global values set
/// with SET GLOBAL are persisted in the catalog; session values live with the session.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "parser/ast/expression.h"
#include "types/value.h"

namespace floe {

class Catalog;

enum class VariableType : uint8_t { BOOL, INT, STRING };

struct SystemVariableDef {
    const char* name;
    VariableType type;
    const char* default_value;  // text form; BOOL as "1"/"0"
    bool session = true;        // has a session value
    bool global = true;         // has a global value
    bool read_only = false;
};

/// Looks up a variable definition by name (case-insensitive); nullptr if unknown.
const SystemVariableDef* FindSystemVariable(std::string_view name);
const std::vector<SystemVariableDef>& SystemVariableDefs();

/// Global values, shared by every session. Thread-safe.
class GlobalVariables {
  public:
    explicit GlobalVariables(Catalog& catalog);
    Value Get(const SystemVariableDef& def) const;
    /// Validates, stores and persists a new global value.
    void Set(const SystemVariableDef& def, const Value& value);

  private:
    /// Hands datacache_enable, datacache_mem_size and datacache_disk_size to the data cache.
    void ApplyDataCacheSettings() const;

    Catalog& catalog_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string, AsciiCaseLess> values_;  // text form
};

class SessionVariables {
  public:
    explicit SessionVariables(GlobalVariables& globals) : globals_(globals) {}

    /// Reads a variable; throws BinderError(UNKNOWN_SYSTEM_VARIABLE) for an unknown system name.
    Value Get(ast::VariableScope scope, const std::string& name) const;
    /// Assigns a variable (SET); validates type and scope, throws for unknown/read-only names.
    void Set(ast::VariableScope scope, const std::string& name, const Value& value);

    /// Current session view of every system variable (for SHOW VARIABLES): name -> text.
    std::vector<std::pair<std::string, std::string>> List(bool global) const;

    bool autocommit() const;

  private:
    GlobalVariables& globals_;
    std::map<std::string, std::string, AsciiCaseLess> session_;  // text form, overrides globals
    std::map<std::string, Value> user_;
};

/// Converts a value to the variable's canonical text (validating it); throws on a bad value.
std::string NormalizeVariableValue(const SystemVariableDef& def, const Value& value);
/// The typed Value of a variable given its canonical text.
Value VariableValue(const SystemVariableDef& def, const std::string& text);

}  // namespace floe
