#pragma once
/// The ClientContext that statements run by Floe itself (compaction, Stream Load transforms) bind
/// in: no session, a database, no variables, root as the user.

#include <chrono>
#include <string>

#include "binder/client_context.h"

namespace floe {

/// The context internal statements bind in: no session, the table's database, no variables.
class InternalContext : public ClientContext {
  public:
    InternalContext(Catalog& catalog, std::string database, std::string data_dir)
        : catalog_(catalog), database_(std::move(database)), data_dir_(std::move(data_dir)) {}
    Catalog& catalog() override { return catalog_; }
    const std::string& CurrentDatabase() const override { return database_; }
    std::string UserAndHost() const override { return "root@localhost"; }
    uint32_t ConnectionId() const override { return 0; }
    Value GetVariable(ast::VariableScope, const std::string&) const override { return Value::Null(); }
    int64_t StatementStartMicros() const override {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    const std::string& DataDirectory() const override { return data_dir_; }

  private:
    Catalog& catalog_;
    std::string database_;
    std::string data_dir_;
};

}  // namespace floe
