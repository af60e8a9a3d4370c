#pragma once
/// What the binder needs to know about the session running a statement, without depending on the
/// server module: current database, user, variables and the statement's start time. The server's
/// Session implements it.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "parser/ast/expression.h"
#include "types/value.h"

namespace floe {

/// What FILES() reads: the files its path names and their columns.
struct FilesDescription {
    std::vector<std::string> files;
    std::vector<std::string> names;
    std::vector<LogicalType> types;
};

class ClientContext {
  public:
    virtual ~ClientContext() = default;
    virtual Catalog& catalog() = 0;
    virtual const std::string& CurrentDatabase() const = 0;
    /// "user@host" as USER() shows it.
    virtual std::string UserAndHost() const = 0;
    virtual uint32_t ConnectionId() const = 0;
    /// A variable's value; throws BinderError(UNKNOWN_SYSTEM_VARIABLE) for an unknown system
    /// variable. Unset user variables are NULL.
    virtual Value GetVariable(ast::VariableScope scope, const std::string& name) const = 0;
    /// Statement start as DATETIME microseconds (NOW() is constant within a statement).
    virtual int64_t StatementStartMicros() const = 0;
    /// Resolves FILES(properties): lists the files and infers their columns. Throws when the
    /// files cannot be read.
    virtual FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) = 0;
    /// The data directory, which segment paths in the meta store are relative to.
    virtual const std::string& DataDirectory() const = 0;
};

}  // namespace floe
