// StarRocks' spatial functions over longitude/latitude shapes: st_point, st_x, st_y, st_astext
// (st_aswkt), st_geometryfromtext (st_geomfromtext), st_linefromtext (st_linestringfromtext),
// st_polygon (st_polyfromtext, st_polygonfromtext), st_circle, st_contains and
// st_distance_sphere. A shape is kept as its canonical WKT text (POINT (x y), LINESTRING (...),
// POLYGON ((...), ...), and StarRocks' CIRCLE ((x y), radius_m)), so st_astext shows what StarRocks
// shows. Input that is not such a shape, or coordinates outside [-180, 180] x [-90, 90], give
// NULL. Distances are on a sphere of radius 6,371,010 m (the haversine of S2LatLng::GetDistance,
// which StarRocks uses); containment in a polygon is planar in degrees (even-odd rule, holes
// excluded), in a circle by that distance.
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
using Point = std::pair<double, double>;  // longitude, latitude

constexpr double kEarthRadiusMeters = 6371010.0;

struct Shape {
    enum class Kind { POINT, LINESTRING, POLYGON, CIRCLE } kind = Kind::POINT;
    std::vector<std::vector<Point>> rings;  // POINT and LINESTRING: one; POLYGON: outer ring, then holes
    double radius = 0;                      // CIRCLE: meters around rings[0][0]
};

bool ValidPoint(const Point& p) {
    return std::isfinite(p.first) && std::isfinite(p.second) && p.first >= -180 && p.first <= 180 && p.second >= -90 &&
           p.second <= 90;
}

/// A small parser over WKT text: numbers, parentheses, commas.
class WktReader {
  public:
    explicit WktReader(std::string_view s) : s_(s) {}
    void Skip() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) ++at_;
    }
    bool Eat(char c) {
        Skip();
        if (at_ < s_.size() && s_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    std::string Word() {
        Skip();
        size_t from = at_;
        while (at_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[at_]))) ++at_;
        return AsciiUpper(s_.substr(from, at_ - from));
    }
    std::optional<double> Number() {
        Skip();
        size_t from = at_;
        if (at_ < s_.size() && (s_[at_] == '+')) ++from, ++at_;
        double v = 0;
        auto [end, ec] = std::from_chars(s_.data() + at_, s_.data() + s_.size(), v);
        if (ec != std::errc()) return std::nullopt;
        at_ = static_cast<size_t>(end - s_.data());
        return v;
    }
    std::optional<Point> Coordinate() {
        auto x = Number();
        if (!x) return std::nullopt;
        auto y = Number();
        if (!y) return std::nullopt;
        return Point{*x, *y};
    }
    /// "(x y, x y, ...)"
    std::optional<std::vector<Point>> List() {
        if (!Eat('(')) return std::nullopt;
        std::vector<Point> out;
        do {
            auto p = Coordinate();
            if (!p || !ValidPoint(*p)) return std::nullopt;
            out.push_back(*p);
        } while (Eat(','));
        if (!Eat(')')) return std::nullopt;
        return out;
    }
    bool AtEnd() {
        Skip();
        return at_ == s_.size();
    }

  private:
    std::string_view s_;
    size_t at_ = 0;
};

std::optional<Shape> ParseShape(std::string_view text) {
    WktReader r(text);
    std::string word = r.Word();
    Shape shape;
    if (word == "POINT") {
        auto list = r.List();
        if (!list || list->size() != 1) return std::nullopt;
        shape.rings.push_back(std::move(*list));
    } else if (word == "LINESTRING") {
        shape.kind = Shape::Kind::LINESTRING;
        auto list = r.List();
        if (!list || list->size() < 2) return std::nullopt;
        shape.rings.push_back(std::move(*list));
    } else if (word == "POLYGON") {
        shape.kind = Shape::Kind::POLYGON;
        if (!r.Eat('(')) return std::nullopt;
        do {
            auto ring = r.List();
            // A ring is closed: at least four points, the last the first again.
            if (!ring || ring->size() < 4 || ring->front() != ring->back()) return std::nullopt;
            shape.rings.push_back(std::move(*ring));
        } while (r.Eat(','));
        if (!r.Eat(')')) return std::nullopt;
    } else if (word == "CIRCLE") {
        shape.kind = Shape::Kind::CIRCLE;
        if (!r.Eat('(')) return std::nullopt;
        auto center = r.List();
        if (!center || center->size() != 1 || !r.Eat(',')) return std::nullopt;
        auto radius = r.Number();
        if (!radius || !(*radius >= 0) || !std::isfinite(*radius) || !r.Eat(')')) return std::nullopt;
        shape.rings.push_back(std::move(*center));
        shape.radius = *radius;
    } else {
        return std::nullopt;
    }
    if (!r.AtEnd()) return std::nullopt;
    return shape;
}

std::string Num(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string Coordinates(const std::vector<Point>& points) {
    std::string out = "(";
    for (size_t i = 0; i < points.size(); ++i) {
        if (i) out += ", ";
        out += Num(points[i].first) + " " + Num(points[i].second);
    }
    return out + ")";
}

std::string ToWkt(const Shape& s) {
    switch (s.kind) {
        case Shape::Kind::POINT:
            return "POINT " + Coordinates(s.rings[0]);
        case Shape::Kind::LINESTRING:
            return "LINESTRING " + Coordinates(s.rings[0]);
        case Shape::Kind::POLYGON: {
            std::string out = "POLYGON (";
            for (size_t i = 0; i < s.rings.size(); ++i) out += (i ? ", " : "") + Coordinates(s.rings[i]);
            return out + ")";
        }
        case Shape::Kind::CIRCLE:
            return "CIRCLE (" + Coordinates(s.rings[0]) + ", " + Num(s.radius) + ")";
    }
    return "";
}

/// The great-circle distance in meters (S2LatLng::GetDistance's haversine, in its order of
/// operations, so results match StarRocks' to the last digit).
double DistanceSphere(const Point& a, const Point& b) {
    constexpr double kRadians = M_PI / 180;
    double lat1 = kRadians * a.second, lat2 = kRadians * b.second;
    double lng1 = kRadians * a.first, lng2 = kRadians * b.first;
    double dlat = std::sin(0.5 * (lat2 - lat1));
    double dlng = std::sin(0.5 * (lng2 - lng1));
    double x = dlat * dlat + dlng * dlng * std::cos(lat1) * std::cos(lat2);
    return 2 * std::asin(std::sqrt(std::min(1.0, x))) * kEarthRadiusMeters;
}

/// Even-odd rule: whether `p` is inside the closed ring.
bool InRing(const std::vector<Point>& ring, const Point& p) {
    bool inside = false;
    for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Point& a = ring[i];
        const Point& b = ring[j];
        if ((a.second > p.second) != (b.second > p.second) &&
            p.first < (b.first - a.first) * (p.second - a.second) / (b.second - a.second) + a.first) {
            inside = !inside;
        }
    }
    return inside;
}

bool ContainsPoint(const Shape& s, const Point& p) {
    switch (s.kind) {
        case Shape::Kind::POINT:
            return s.rings[0][0] == p;
        case Shape::Kind::CIRCLE:
            return DistanceSphere(s.rings[0][0], p) <= s.radius;
        case Shape::Kind::POLYGON:
            if (!InRing(s.rings[0], p)) return false;
            for (size_t h = 1; h < s.rings.size(); ++h) {
                if (InRing(s.rings[h], p)) return false;
            }
            return true;
        case Shape::Kind::LINESTRING:
            return false;
    }
    return false;
}

/// Whether every point of `inner` is in `outer` (points, lines and rings by their vertices).
bool Contains(const Shape& outer, const Shape& inner) {
    for (const auto& ring : inner.rings) {
        for (const auto& p : ring) {
            if (!ContainsPoint(outer, p)) return false;
        }
    }
    return true;
}

/// A kernel over `n` arguments: `op(row)` writes row i's result or returns false for NULL; any
/// NULL argument gives NULL.
template <typename Op>
ScalarKernel RowKernel(Op op) {
    return [op](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool null = false;
            for (const Column* c : a) null |= c->IsNull(i);
            if (!null) null = !op(a, i, out);
            out.SetNull(i, null);
        }
    };
}

/// A shape function of one text argument: the shape if `accept` takes it.
ScalarKernel TextToShape(bool (*accept)(const Shape&)) {
    return RowKernel([accept](Args a, size_t i, Column& out) {
        auto shape = ParseShape(ReadValue<std::string_view>(*a[0], i));
        if (!shape || !accept(*shape)) return false;
        WriteValue<std::string>(out, i, ToWkt(*shape));
        return true;
    });
}

ScalarKernel Coordinate(bool x) {
    return RowKernel([x](Args a, size_t i, Column& out) {
        auto shape = ParseShape(ReadValue<std::string_view>(*a[0], i));
        if (!shape || shape->kind != Shape::Kind::POINT) return false;
        out.Data<double>()[i] = x ? shape->rings[0][0].first : shape->rings[0][0].second;
        return true;
    });
}

}  // namespace

void RegisterSpatialFunctions(FunctionRegistry& r) {
    const LogicalType kStr = LogicalType::Varchar();
    const LogicalType kDouble = TypeId::DOUBLE;
    r.AddScalar("st_point",
                Overloads("st_point", {{{kDouble, kDouble}, kStr, RowKernel([](Args a, size_t i, Column& out) {
                                            Point p{ReadValue<double>(*a[0], i), ReadValue<double>(*a[1], i)};
                                            if (!ValidPoint(p)) return false;
                                            Shape s;
                                            s.rings.push_back({p});
                                            WriteValue<std::string>(out, i, ToWkt(s));
                                            return true;
                                        })}}));
    r.AddScalar("st_x", Overloads("st_x", {{{kStr}, kDouble, Coordinate(true)}}));
    r.AddScalar("st_y", Overloads("st_y", {{{kStr}, kDouble, Coordinate(false)}}));
    auto any = +[](const Shape&) { return true; };
    r.AddScalar("st_astext", Overloads("st_astext", {{{kStr}, kStr, TextToShape(any)}}));
    r.AddAlias("st_aswkt", "st_astext");
    r.AddScalar("st_geometryfromtext", Overloads("st_geometryfromtext", {{{kStr}, kStr, TextToShape(any)}}));
    r.AddAlias("st_geomfromtext", "st_geometryfromtext");
    r.AddScalar("st_linefromtext", Overloads("st_linefromtext", {{{kStr}, kStr, TextToShape(+[](const Shape& s) {
                                                                      return s.kind == Shape::Kind::LINESTRING;
                                                                  })}}));
    r.AddAlias("st_linestringfromtext", "st_linefromtext");
    r.AddScalar("st_polygon", Overloads("st_polygon", {{{kStr}, kStr, TextToShape(+[](const Shape& s) {
                                                            return s.kind == Shape::Kind::POLYGON;
                                                        })}}));
    r.AddAlias("st_polyfromtext", "st_polygon");
    r.AddAlias("st_polygonfromtext", "st_polygon");
    r.AddScalar(
        "st_circle",
        Overloads("st_circle", {{{kDouble, kDouble, kDouble}, kStr, RowKernel([](Args a, size_t i, Column& out) {
                                     Point p{ReadValue<double>(*a[0], i), ReadValue<double>(*a[1], i)};
                                     double radius = ReadValue<double>(*a[2], i);
                                     if (!ValidPoint(p) || !(radius >= 0) || !std::isfinite(radius)) return false;
                                     Shape s;
                                     s.kind = Shape::Kind::CIRCLE;
                                     s.rings.push_back({p});
                                     s.radius = radius;
                                     WriteValue<std::string>(out, i, ToWkt(s));
                                     return true;
                                 })}}));
    r.AddScalar("st_contains",
                Overloads("st_contains", {{{kStr, kStr}, TypeId::BOOLEAN, RowKernel([](Args a, size_t i, Column& out) {
                                               auto outer = ParseShape(ReadValue<std::string_view>(*a[0], i));
                                               auto inner = ParseShape(ReadValue<std::string_view>(*a[1], i));
                                               if (!outer || !inner) return false;
                                               WriteValue<bool>(out, i, Contains(*outer, *inner));
                                               return true;
                                           })}}));
    r.AddScalar("st_distance_sphere",
                Overloads("st_distance_sphere",
                          {{{kDouble, kDouble, kDouble, kDouble}, kDouble, RowKernel([](Args a, size_t i, Column& out) {
                                Point x{ReadValue<double>(*a[0], i), ReadValue<double>(*a[1], i)};
                                Point y{ReadValue<double>(*a[2], i), ReadValue<double>(*a[3], i)};
                                if (!ValidPoint(x) || !ValidPoint(y)) return false;
                                out.Data<double>()[i] = DistanceSphere(x, y);
                                return true;
                            })}}));
}

}  // namespace floe
