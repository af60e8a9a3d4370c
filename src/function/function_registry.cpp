#include "function/function_registry.h"

#include "common/exception.h"

namespace floe {

const FunctionRegistry& FunctionRegistry::Instance() {
    static const FunctionRegistry registry = [] {
        FunctionRegistry r;
        RegisterArithmeticFunctions(r);
        RegisterComparisonFunctions(r);
        RegisterLogicalFunctions(r);
        RegisterStringFunctions(r);
        RegisterMathFunctions(r);
        RegisterDatetimeFunctions(r);
        RegisterConditionalFunctions(r);
        RegisterLikeFunctions(r);
        RegisterAggregateFunctions(r);
        RegisterSketchFunctions(r);
        RegisterSketchAggregates(r);
        RegisterRegexpFunctions(r);
        RegisterJsonFunctions(r);
        RegisterPercentileAggregates(r);
        RegisterByAggregates(r);
        RegisterArrayFunctions(r);
        RegisterArrayAggregates(r);
        RegisterEncodingFunctions(r);
        RegisterStringSearchFunctions(r);
        RegisterStringFormatFunctions(r);
        RegisterNumericFunctions(r);
        RegisterBitwiseFunctions(r);
        RegisterDatetimeCalendarFunctions(r);
        RegisterDatetimeDiffFunctions(r);
        RegisterBooleanAggregates(r);
        RegisterCovarianceAggregates(r);
        RegisterArraySetFunctions(r);
        RegisterArraySeriesFunctions(r);
        RegisterUtilityFunctions(r);
        RegisterCollectionAggregates(r);
        RegisterBitmapFunctions(r);
        RegisterFunnelAggregates(r);
        RegisterVectorDistanceFunctions(r);
        RegisterSpatialFunctions(r);
        RegisterDatetimeFormatFunctions(r);
        RegisterJsonModifyFunctions(r);
        RegisterStringCompressFunctions(r);
        RegisterDatasketchAggregates(r);
        RegisterHypothesisTestAggregates(r);
        RegisterFpeFunctions(r);
        RegisterArrayLambdaFunctions(r);
        return r;
    }();
    return registry;
}

void FunctionRegistry::AddScalar(std::string name, ScalarFunctionBinder binder) {
    scalars_[std::move(name)] = std::move(binder);
}

void FunctionRegistry::AddAlias(std::string alias, std::string_view target) {
    if (auto a = aggregates_.find(target); a != aggregates_.end()) {
        aggregates_[std::move(alias)] = a->second;
        return;
    }
    auto it = scalars_.find(target);
    if (it == scalars_.end()) throw InternalError("alias of unknown function " + std::string(target));
    scalars_[std::move(alias)] = it->second;
}

const ScalarFunctionBinder* FunctionRegistry::FindScalar(std::string_view name) const {
    auto it = scalars_.find(name);
    return it == scalars_.end() ? nullptr : &it->second;
}

BoundScalarFunction FunctionRegistry::BindScalar(std::string_view name,
                                                 const std::vector<LogicalType>& arg_types) const {
    const ScalarFunctionBinder* binder = FindScalar(name);
    if (!binder) {
        throw BinderError("unknown function '" + std::string(name) + "'", ErrorCode::UNKNOWN_FUNCTION);
    }
    BoundScalarFunction bound = (*binder)(arg_types);
    if (bound.name.empty()) bound.name = std::string(name);
    return bound;
}

void FunctionRegistry::AddAggregate(std::string name, AggregateFunctionBinder binder) {
    aggregates_[std::move(name)] = std::move(binder);
}

BoundAggregateFunction FunctionRegistry::BindAggregate(std::string_view name, const std::vector<LogicalType>& arg_types,
                                                       bool distinct) const {
    auto it = aggregates_.find(name);
    if (it == aggregates_.end()) {
        throw BinderError("unknown aggregate function '" + std::string(name) + "'", ErrorCode::UNKNOWN_FUNCTION);
    }
    BoundAggregateFunction bound = it->second(arg_types, distinct);
    if (bound.name.empty()) bound.name = std::string(name);
    bound.distinct = distinct;
    return bound;
}

std::vector<std::string> FunctionRegistry::AggregateNames() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : aggregates_) out.push_back(name);
    return out;
}

std::vector<std::string> FunctionRegistry::ScalarNames() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : scalars_) out.push_back(name);
    return out;
}

}  // namespace floe
