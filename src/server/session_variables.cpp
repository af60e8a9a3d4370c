#include "server/session_variables.h"

#include <algorithm>

#include "catalog/catalog.h"
#include "common/exception.h"
#include "io/data_cache.h"
#include "server/instance.h"
#include "types/time_zone.h"

namespace floe {

namespace {

constexpr bool kSessionOnly = false;

std::vector<SystemVariableDef> MakeDefs() {
    using T = VariableType;
    std::vector<SystemVariableDef> defs = {
        {"auto_increment_increment", T::INT, "1"},
        {"auto_increment_offset", T::INT, "1"},
        {"autocommit", T::BOOL, "1"},
        {"character_set_client", T::STRING, "utf8mb4"},
        {"character_set_connection", T::STRING, "utf8mb4"},
        {"character_set_database", T::STRING, "utf8mb4"},
        {"character_set_results", T::STRING, "utf8mb4"},
        {"character_set_server", T::STRING, "utf8mb4"},
        {"character_set_system", T::STRING, "utf8mb3", true, true, true},
        {"collation_connection", T::STRING, "utf8mb4_general_ci"},
        {"collation_database", T::STRING, "utf8mb4_general_ci"},
        {"collation_server", T::STRING, "utf8mb4_general_ci"},
        // The data cache of remote files (io/data_cache.h), under StarRocks' names.
        {"datacache_disk_size", T::STRING, "10G", false, true},
        {"datacache_enable", T::BOOL, "1", false, true},
        {"datacache_mem_size", T::STRING, "256M", false, true},
        {"default_storage_engine", T::STRING, "OLAP"},
        {"default_week_format", T::INT, "0"},
        {"div_precision_increment", T::INT, "4"},
        {"dynamic_overwrite", T::BOOL, "0"},
        // Transparent rewrite with materialized views (server/mv_candidates.h says what each does).
        {"enable_materialized_view_rewrite", T::BOOL, "1"},
        {"enable_materialized_view_union_rewrite", T::BOOL, "1"},
        {"enable_profile", T::BOOL, "0"},
        {"enable_rule_based_materialized_view_rewrite", T::BOOL, "1"},
        {"enable_scan_datacache", T::BOOL, "1"},
        {"error_count", T::INT, "0", true, false, true},
        {"event_scheduler", T::STRING, "OFF", false, true},
        {"exec_mem_limit", T::INT, "0"},
        {"group_concat_max_len", T::INT, "1024"},
        {"have_query_cache", T::STRING, "NO", false, true, true},
        {"init_connect", T::STRING, "", false, true},
        {"interactive_timeout", T::INT, "3600"},
        {"language", T::STRING, "/floe/share/english/", false, true, true},
        {"license", T::STRING, "Apache License 2.0", false, true, true},
        {"lower_case_table_names", T::INT, "0", false, true, true},
        {"cte_max_recursion_depth", T::INT, "1000"},
        {"materialized_view_rewrite_mode", T::STRING, "default"},
        {"max_allowed_packet", T::INT, "67108864"},
        {"max_connections", T::INT, "4096", false, true},
        {"max_execution_time", T::INT, "0"},
        {"net_buffer_length", T::INT, "16384"},
        {"net_read_timeout", T::INT, "60"},
        {"net_write_timeout", T::INT, "60"},
        {"optimizer_disabled_rules", T::STRING, ""},
        {"parallel_fragment_exec_instance_num", T::INT, "1"},
        {"performance_schema", T::BOOL, "0", false, true, true},
        {"pipeline_dop", T::INT, "0"},
        {"query_cache_size", T::INT, "0", false, true},
        {"query_mem_limit", T::INT, "0"},
        {"query_cache_type", T::STRING, "OFF"},
        {"query_timeout", T::INT, "300"},
        // Task runs (SUBMIT TASK, MV refreshes) that execute at once (1 to 32).
        {"task_runs_concurrency", T::INT, "4", false, true},
        {"sql_auto_is_null", T::BOOL, "0"},
        {"sql_mode", T::STRING, "ONLY_FULL_GROUP_BY"},
        {"sql_safe_updates", T::BOOL, "0"},
        {"sql_select_limit", T::INT, "18446744073709551615"},
        {"storage_engine", T::STRING, "OLAP"},
        {"system_time_zone", T::STRING, "UTC", false, true, true},
        {"time_zone", T::STRING, "UTC"},
        {"transaction_isolation", T::STRING, "REPEATABLE-READ"},
        {"transaction_read_only", T::BOOL, "0"},
        {"tx_isolation", T::STRING, "REPEATABLE-READ"},
        {"tx_read_only", T::BOOL, "0"},
        {"version", T::STRING, kServerVersion, false, true, true},
        {"version_comment", T::STRING, kVersionComment, false, true, true},
        {"version_compile_machine", T::STRING, "x86_64", false, true, true},
        {"version_compile_os", T::STRING, "Linux", false, true, true},
        {"wait_timeout", T::INT, "28800"},
        {"warning_count", T::INT, "0", true, false, true},
    };
    (void)kSessionOnly;
    std::sort(defs.begin(), defs.end(), [](const auto& a, const auto& b) { return std::string_view(a.name) < b.name; });
    return defs;
}

bool IsDataCacheSetting(std::string_view name) {
    return AsciiEqualsIgnoreCase(name, "datacache_enable") || AsciiEqualsIgnoreCase(name, "datacache_mem_size") ||
           AsciiEqualsIgnoreCase(name, "datacache_disk_size");
}

std::string Trim(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == ',')) s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == ',')) s.pop_back();
    return s;
}

}  // namespace

const std::vector<SystemVariableDef>& SystemVariableDefs() {
    static const std::vector<SystemVariableDef> defs = MakeDefs();
    return defs;
}

const SystemVariableDef* FindSystemVariable(std::string_view name) {
    // Seed 002's spelling (ALTER SYSTEM SET enable_datacache = true).
    if (AsciiEqualsIgnoreCase(name, "enable_datacache")) name = "datacache_enable";
    for (const auto& d : SystemVariableDefs()) {
        if (AsciiEqualsIgnoreCase(d.name, name)) return &d;
    }
    return nullptr;
}

std::string NormalizeVariableValue(const SystemVariableDef& def, const Value& value) {
    std::string text = value.is_null() ? "" : value.ToString();
    switch (def.type) {
        case VariableType::BOOL: {
            std::string t = AsciiLower(text);
            if (t == "1" || t == "on" || t == "true") return "1";
            if (t == "0" || t == "off" || t == "false") return "0";
            throw ExecutionError("Variable '" + std::string(def.name) + "' can't be set to the value of '" + text + "'",
                                 ErrorCode::WRONG_VALUE_FOR_VARIABLE);
        }
        case VariableType::INT: {
            if (value.is_null() || text.empty() || text.find_first_not_of("-0123456789") != std::string::npos) {
                throw ExecutionError("Incorrect argument type to variable '" + std::string(def.name) + "'",
                                     ErrorCode::WRONG_VALUE_FOR_VARIABLE);
            }
            return text;
        }
        case VariableType::STRING: {
            if (AsciiEqualsIgnoreCase(def.name, "time_zone")) {
                if (!TimeZone::Find(Trim(text))) {
                    throw ExecutionError("Unknown or incorrect time zone: '" + text + "'",
                                         ErrorCode::UNKNOWN_TIME_ZONE);
                }
                return Trim(text);
            }
            if (AsciiEqualsIgnoreCase(def.name, "datacache_mem_size") ||
                AsciiEqualsIgnoreCase(def.name, "datacache_disk_size")) {
                try {
                    ParseCacheSize(text, 100);
                } catch (const IOError& e) {
                    throw ExecutionError("Variable '" + std::string(def.name) + "': " + e.what(),
                                         ErrorCode::WRONG_VALUE_FOR_VARIABLE);
                }
                return Trim(text);
            }
            if (AsciiEqualsIgnoreCase(def.name, "materialized_view_rewrite_mode")) {
                std::string mode = AsciiLower(Trim(text));
                for (const char* known : {"disable", "default", "default_or_error", "force", "force_or_error"}) {
                    if (mode == known) return mode;
                }
                throw ExecutionError("Variable 'materialized_view_rewrite_mode' can't be set to the value of '" + text +
                                         "' (disable, default, default_or_error, force or force_or_error)",
                                     ErrorCode::WRONG_VALUE_FOR_VARIABLE);
            }
            if (AsciiEqualsIgnoreCase(def.name, "sql_mode")) {
                std::string upper = AsciiUpper(Trim(text));
                std::string out;
                size_t pos = 0;
                while (pos <= upper.size()) {  // drop empty items such as ",,"
                    size_t comma = upper.find(',', pos);
                    std::string item = upper.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                    if (!item.empty()) out += (out.empty() ? "" : ",") + item;
                    if (comma == std::string::npos) break;
                    pos = comma + 1;
                }
                return out;
            }
            return text;
        }
    }
    return text;
}

Value VariableValue(const SystemVariableDef& def, const std::string& text) {
    switch (def.type) {
        case VariableType::BOOL:
            return Value::Integer(text == "1" ? 1 : 0);
        case VariableType::INT: {
            try {
                return Value::Integer(std::stoll(text));
            } catch (const std::exception&) {
                return Value::Varchar(text);  // e.g. 18446744073709551615
            }
        }
        case VariableType::STRING:
            return Value::Varchar(text);
    }
    return Value::Varchar(text);
}

GlobalVariables::GlobalVariables(Catalog& catalog) : catalog_(catalog) {
    for (const auto& [name, value] : catalog.ListGlobalVariables()) values_[name] = value;
    ApplyDataCacheSettings();
}

void GlobalVariables::ApplyDataCacheSettings() const {
    auto text = [this](const char* name) {
        const SystemVariableDef* def = FindSystemVariable(name);
        return Get(*def).ToString();
    };
    try {
        DataCache::Global().Configure(text("datacache_enable") == "1", text("datacache_mem_size"),
                                      text("datacache_disk_size"));
    } catch (const IOError& e) {
        // A persisted size this build cannot read: keep the previous limits.
        (void)e;
    }
}

Value GlobalVariables::Get(const SystemVariableDef& def) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = values_.find(def.name);
    return VariableValue(def, it == values_.end() ? def.default_value : it->second);
}

void GlobalVariables::Set(const SystemVariableDef& def, const Value& value) {
    std::string text = NormalizeVariableValue(def, value);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        catalog_.SetGlobalVariable(def.name, text);
        values_[def.name] = text;
    }
    if (IsDataCacheSetting(def.name)) ApplyDataCacheSettings();
}

Value SessionVariables::Get(ast::VariableScope scope, const std::string& name) const {
    if (scope == ast::VariableScope::USER) {
        auto it = user_.find(name);
        return it == user_.end() ? Value::Null(LogicalType::Varchar()) : it->second;
    }
    const SystemVariableDef* def = FindSystemVariable(name);
    if (!def) throw BinderError("Unknown system variable '" + name + "'", ErrorCode::UNKNOWN_SYSTEM_VARIABLE);
    if (scope == ast::VariableScope::GLOBAL) {
        if (!def->global) {
            throw BinderError("Variable '" + name + "' is a SESSION variable", ErrorCode::UNKNOWN_SYSTEM_VARIABLE);
        }
        return globals_.Get(*def);
    }
    if (scope == ast::VariableScope::SESSION && !def->session) {
        throw BinderError("Variable '" + name + "' is a GLOBAL variable", ErrorCode::UNKNOWN_SYSTEM_VARIABLE);
    }
    auto it = session_.find(def->name);
    if (it != session_.end()) return VariableValue(*def, it->second);
    return globals_.Get(*def);
}

void SessionVariables::Set(ast::VariableScope scope, const std::string& name, const Value& value) {
    if (scope == ast::VariableScope::USER) {
        user_[name] = value;
        return;
    }
    const SystemVariableDef* def = FindSystemVariable(name);
    if (!def) throw ExecutionError("Unknown system variable '" + name + "'", ErrorCode::UNKNOWN_SYSTEM_VARIABLE);
    if (def->read_only) {
        throw ExecutionError("Variable '" + name + "' is a read only variable", ErrorCode::READ_ONLY_VARIABLE);
    }
    if (scope == ast::VariableScope::GLOBAL) {
        if (!def->global)
            throw ExecutionError("Variable '" + name + "' is a SESSION variable and can't be used with SET GLOBAL",
                                 ErrorCode::WRONG_VALUE_FOR_VARIABLE);
        globals_.Set(*def, value);
        return;
    }
    if (!def->session) {
        throw ExecutionError("Variable '" + name + "' is a GLOBAL variable and should be set with SET GLOBAL",
                             ErrorCode::WRONG_VALUE_FOR_VARIABLE);
    }
    session_[def->name] = NormalizeVariableValue(*def, value);
}

std::vector<std::pair<std::string, std::string>> SessionVariables::List(bool global) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& def : SystemVariableDefs()) {
        if (global && !def.global) continue;
        if (!global && !def.session && !def.global) continue;
        Value v;
        if (global) {
            v = globals_.Get(def);
        } else {
            auto it = session_.find(def.name);
            v = it != session_.end() ? VariableValue(def, it->second) : globals_.Get(def);
        }
        std::string text = v.ToString();
        if (def.type == VariableType::BOOL) text = text == "1" ? "ON" : "OFF";
        out.emplace_back(def.name, text);
    }
    return out;
}

bool SessionVariables::autocommit() const {
    Value v = Get(ast::VariableScope::DEFAULT, "autocommit");
    return !v.is_null() && v.GetInt() != 0;
}

}  // namespace floe
