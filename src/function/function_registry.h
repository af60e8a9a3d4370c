#pragma once
/// The one registry of built-in functions. Functions are added by the explicit list in
/// builtin_functions.cpp (no static-initialiser registration), so the full set is visible in
/// one place. Lookup is case-insensitive.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "function/aggregate_function.h"
#include "function/scalar_function.h"

namespace floe {

class FunctionRegistry {
  public:
    /// The process-wide registry with every built-in function.
    static const FunctionRegistry& Instance();

    void AddScalar(std::string name, ScalarFunctionBinder binder);
    /// Registers `alias` as another name of an already registered function.
    void AddAlias(std::string alias, std::string_view target);

    /// nullptr when no scalar function has that name.
    const ScalarFunctionBinder* FindScalar(std::string_view name) const;
    /// Binds `name` for `arg_types`; throws BinderError(UNKNOWN_FUNCTION) when unknown.
    BoundScalarFunction BindScalar(std::string_view name, const std::vector<LogicalType>& arg_types) const;

    std::vector<std::string> ScalarNames() const;
    std::vector<std::string> AggregateNames() const;

    void AddAggregate(std::string name, AggregateFunctionBinder binder);
    bool IsAggregate(std::string_view name) const { return aggregates_.count(name) > 0; }
    /// Binds an aggregate; throws BinderError(UNKNOWN_FUNCTION) when unknown.
    BoundAggregateFunction BindAggregate(std::string_view name, const std::vector<LogicalType>& arg_types,
                                         bool distinct) const;

  private:
    std::map<std::string, ScalarFunctionBinder, AsciiCaseLess> scalars_;
    std::map<std::string, AggregateFunctionBinder, AsciiCaseLess> aggregates_;
};

/// The explicit list: each Register* adds one family (defined in scalar/*.cpp).
void RegisterArithmeticFunctions(FunctionRegistry& registry);
void RegisterComparisonFunctions(FunctionRegistry& registry);
void RegisterLogicalFunctions(FunctionRegistry& registry);
void RegisterStringFunctions(FunctionRegistry& registry);
void RegisterMathFunctions(FunctionRegistry& registry);
void RegisterDatetimeFunctions(FunctionRegistry& registry);
void RegisterConditionalFunctions(FunctionRegistry& registry);
void RegisterLikeFunctions(FunctionRegistry& registry);
void RegisterAggregateFunctions(FunctionRegistry& registry);
void RegisterSketchFunctions(FunctionRegistry& registry);
void RegisterSketchAggregates(FunctionRegistry& registry);
void RegisterRegexpFunctions(FunctionRegistry& registry);
void RegisterJsonFunctions(FunctionRegistry& registry);
void RegisterPercentileAggregates(FunctionRegistry& registry);
void RegisterByAggregates(FunctionRegistry& registry);
void RegisterArrayFunctions(FunctionRegistry& registry);
void RegisterArrayAggregates(FunctionRegistry& registry);
void RegisterEncodingFunctions(FunctionRegistry& registry);
void RegisterStringSearchFunctions(FunctionRegistry& registry);
void RegisterStringFormatFunctions(FunctionRegistry& registry);
void RegisterNumericFunctions(FunctionRegistry& registry);
void RegisterBitwiseFunctions(FunctionRegistry& registry);
void RegisterDatetimeCalendarFunctions(FunctionRegistry& registry);
void RegisterDatetimeDiffFunctions(FunctionRegistry& registry);
void RegisterBooleanAggregates(FunctionRegistry& registry);
void RegisterCovarianceAggregates(FunctionRegistry& registry);
void RegisterArraySetFunctions(FunctionRegistry& registry);
void RegisterArraySeriesFunctions(FunctionRegistry& registry);
void RegisterUtilityFunctions(FunctionRegistry& registry);
void RegisterCollectionAggregates(FunctionRegistry& registry);
void RegisterBitmapFunctions(FunctionRegistry& registry);
void RegisterFunnelAggregates(FunctionRegistry& registry);
void RegisterVectorDistanceFunctions(FunctionRegistry& registry);
void RegisterSpatialFunctions(FunctionRegistry& registry);
void RegisterDatetimeFormatFunctions(FunctionRegistry& registry);
void RegisterJsonModifyFunctions(FunctionRegistry& registry);
void RegisterStringCompressFunctions(FunctionRegistry& registry);
void RegisterDatasketchAggregates(FunctionRegistry& registry);
void RegisterHypothesisTestAggregates(FunctionRegistry& registry);
void RegisterFpeFunctions(FunctionRegistry& registry);
void RegisterArrayLambdaFunctions(FunctionRegistry& registry);

}  // namespace floe
