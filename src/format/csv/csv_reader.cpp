#include "format/csv/csv_reader.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "types/date_time.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace floe {

CsvReader::CsvReader(std::string_view data, CsvOptions options, size_t columns)
    : data_(data), options_(std::move(options)), columns_(columns) {
    if (options_.column_separator.empty()) options_.column_separator = "\t";
    if (options_.row_delimiter.empty()) options_.row_delimiter = "\n";
    for (size_t i = 0; i < options_.skip_header && pos_ < data_.size(); ++i) {
        size_t end = data_.find(options_.row_delimiter, pos_);
        pos_ = end == std::string_view::npos ? data_.size() : end + options_.row_delimiter.size();
        ++line_;
    }
}

bool CsvReader::ParseRow(std::string_view& raw) {
    fields_.clear();
    field_null_.clear();
    const std::string& sep = options_.column_separator;
    const std::string& row = options_.row_delimiter;
    size_t start = pos_;
    std::string field;
    bool quoted_field = false;
    bool ok = true;
    reason_.clear();
    size_t i = pos_;
    auto finish_field = [&] {
        field_null_.push_back(options_.null_marker && !quoted_field && field == "\\N");
        fields_.push_back(std::move(field));
        field.clear();
        quoted_field = false;
    };
    while (true) {
        if (i >= data_.size()) {
            finish_field();
            pos_ = data_.size();
            break;
        }
        char c = data_[i];
        if (options_.enclose && c == options_.enclose && field.empty() && !quoted_field) {
            // A quoted field: up to the closing enclose (a doubled one stands for itself).
            quoted_field = true;
            ++i;
            bool closed = false;
            while (i < data_.size()) {
                char q = data_[i];
                if (options_.escape && q == options_.escape && i + 1 < data_.size()) {
                    field.push_back(data_[i + 1]);
                    i += 2;
                    continue;
                }
                if (q == options_.enclose) {
                    if (i + 1 < data_.size() && data_[i + 1] == options_.enclose) {
                        field.push_back(q);
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                if (q == '\n') ++line_;
                field.push_back(q);
                ++i;
            }
            if (!closed) {
                ok = false;
                reason_ = "unterminated " + std::string(1, options_.enclose) + " quote";
                pos_ = data_.size();
                raw = data_.substr(start);
                return false;
            }
            continue;
        }
        if (options_.escape && c == options_.escape && i + 1 < data_.size()) {
            field.push_back(data_[i + 1]);
            i += 2;
            continue;
        }
        if (c == row[0] && AtSeparator(i, row)) {
            finish_field();
            pos_ = i + row.size();
            break;
        }
        if (c == sep[0] && AtSeparator(i, sep)) {
            finish_field();
            i += sep.size();
            continue;
        }
        field.push_back(c);
        ++i;
    }
    raw = data_.substr(start, std::min(pos_, data_.size()) - start);
    if (ok && fields_.size() != columns_) {
        reason_ = "column count mismatch: expected " + std::to_string(columns_) + " fields, found " +
                  std::to_string(fields_.size());
        return false;
    }
    return ok;
}

bool CsvReader::SplitRow(std::string_view& raw) {
    const std::string& sep = options_.column_separator;
    const std::string& row = options_.row_delimiter;
    size_t end = row.size() == 1 ? data_.find(row[0], pos_) : data_.find(row, pos_);
    if (end == std::string_view::npos) end = data_.size();
    raw = data_.substr(pos_, end - pos_);
    pos_ = std::min(data_.size(), end + row.size());
    views_.clear();
    size_t at = 0;
    while (true) {
        size_t next = sep.size() == 1 ? raw.find(sep[0], at) : raw.find(sep, at);
        if (next == std::string_view::npos) {
            views_.push_back(raw.substr(at));
            break;
        }
        views_.push_back(raw.substr(at, next - at));
        at = next + sep.size();
    }
    if (views_.size() != columns_) {
        reason_ = "column count mismatch: expected " + std::to_string(columns_) + " fields, found " +
                  std::to_string(views_.size());
        return false;
    }
    return true;
}

namespace {

/// Bit i set when block[i] is `a` or `b` (16 bytes at `p`).
inline uint32_t MatchMask(const char* p, char a, char b) {
#if defined(__SSE2__)
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8(a)), _mm_cmpeq_epi8(block, _mm_set1_epi8(b)));
    return static_cast<uint32_t>(_mm_movemask_epi8(hits));
#else
    uint32_t mask = 0;
    for (int i = 0; i < 16; ++i) mask |= static_cast<uint32_t>(p[i] == a || p[i] == b) << i;
    return mask;
#endif
}

}  // namespace

bool CsvReader::NextFast(Chunk& out, std::vector<CsvRowError>& errors) {
    const char sep = options_.column_separator[0];
    const char row = options_.row_delimiter[0];
    const char* base = data_.data();
    const size_t size = data_.size();
    std::vector<StringView*> values(columns_);
    std::vector<uint8_t*> nulls(columns_);
    for (size_t c = 0; c < columns_; ++c) {
        values[c] = out.column(c).Strings();
        nulls[c] = out.column(c).nulls();
    }
    size_t n = 0;
    size_t field = 0;           // index of the field being read in the current row
    size_t field_start = pos_;  // where it starts
    size_t row_start = pos_;
    bool row_bad = false;  // more fields than columns
    auto emit = [&](size_t end) {
        if (field < columns_) {
            std::string_view f(base + field_start, end - field_start);
            bool is_null = options_.null_marker && f.size() == 2 && f[0] == '\\' && f[1] == 'N';
            nulls[field][n] = is_null ? 1 : 0;
            if (!is_null) values[field][n] = StringView(f.data(), static_cast<uint32_t>(f.size()));
        } else {
            row_bad = true;
        }
        ++field;
        field_start = end + 1;
    };
    // Ends the row at `end` (the delimiter's position, or the end of the input). Returns false
    // when the chunk is full.
    auto end_row = [&](size_t end) {
        ++line_;
        ++rows_seen_;
        emit(end);
        if (row_bad || field != columns_) {
            std::string_view raw(base + row_start, end - row_start);
            errors.push_back({line_,
                              "column count mismatch: expected " + std::to_string(columns_) + " fields, found " +
                                  std::to_string(field),
                              std::string(raw.substr(0, std::min<size_t>(raw.size(), 1024))), rows_seen_ - 1});
        } else {
            if (sources_) sources_->push_back(static_cast<uint32_t>(rows_seen_ - 1));
            ++n;
        }
        field = 0;
        row_bad = false;
        row_start = field_start = end + 1;
        return n < kChunkCapacity;
    };
    size_t i = pos_;
    bool full = false;
    while (!full && i + 16 <= size) {
        uint32_t mask = MatchMask(base + i, sep, row);
        while (mask) {
            size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
            mask &= mask - 1;
            if (base[at] == sep) {
                emit(at);
            } else if (!end_row(at)) {
                full = true;
                break;
            }
        }
        if (!full) i += 16;
    }
    for (; !full && i < size; ++i) {
        if (base[i] == sep) {
            emit(i);
        } else if (base[i] == row && !end_row(i)) {
            full = true;
        }
    }
    if (full) {
        pos_ = row_start;
    } else {
        // The input ends: a last row without a delimiter is a row; nothing after a final delimiter is not.
        if (row_start < size) end_row(size);
        pos_ = size;
    }
    for (size_t c = 0; c < columns_; ++c) out.column(c).Resize(n);
    out.SetSize(n);
    return n > 0 || pos_ < size;
}

namespace {

/// 0 BIGINT, 1 DOUBLE, 2 DATE, 3 DATETIME, 4 VARCHAR: the narrowest that `text` fits, at least `at_least`.
int WidenFor(std::string_view text, int at_least) {
    auto is_int = [&] {
        if (text.empty() || text.size() > 18) return false;
        size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
        if (i == text.size()) return false;
        for (; i < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
        }
        return true;
    };
    auto is_double = [&] {
        if (text.empty()) return false;
        std::string_view t = text[0] == '+' ? text.substr(1) : text;
        double d;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        return ec == std::errc() && end == t.data() + t.size() && std::isfinite(d);
    };
    if (at_least <= 0 && is_int()) return 0;
    if (at_least <= 1 && is_double()) return 1;
    if (at_least <= 2 && at_least != 1 && ParseDate(text)) return 2;
    if (at_least <= 3 && at_least != 1 && (ParseDatetime(text) || ParseDate(text))) return 3;
    return 4;
}

}  // namespace

std::vector<InferredColumn> InferCsvColumns(std::string_view data, const CsvOptions& options, size_t sample_rows) {
    CsvOptions o = options;
    o.reference_input = false;
    // The first row (after any header) fixes the column count.
    size_t columns = CsvReader(data, o, 0).CountNextRowFields();
    std::vector<int> kind(columns, -1);  // -1: no value seen yet
    if (columns > 0) {
        CsvReader reader(data, o, columns);
        Chunk chunk;
        std::vector<CsvRowError> errors;
        size_t seen = 0;
        while (seen < sample_rows && reader.Next(chunk, errors)) {
            for (size_t r = 0; r < chunk.size() && seen < sample_rows; ++r, ++seen) {
                for (size_t c = 0; c < columns; ++c) {
                    const Column& col = chunk.column(c);
                    if (col.IsNull(r)) continue;
                    std::string_view v = col.Strings()[r].view();
                    if (v.empty()) continue;
                    kind[c] = WidenFor(v, std::max(kind[c], 0));
                }
            }
        }
    }
    std::vector<InferredColumn> out;
    for (size_t c = 0; c < columns; ++c) {
        LogicalType t = LogicalType::Varchar();
        switch (kind[c]) {
            case 0:
                t = TypeId::BIGINT;
                break;
            case 1:
                t = TypeId::DOUBLE;
                break;
            case 2:
                t = TypeId::DATE;
                break;
            case 3:
                t = TypeId::DATETIME;
                break;
            default:
                break;
        }
        out.push_back({"$" + std::to_string(c + 1), t});
    }
    return out;
}

size_t CsvReader::CountNextRowFields() {
    if (pos_ >= data_.size()) return 0;
    std::string_view raw;
    if (options_.enclose == 0 && options_.escape == 0) {
        SplitRow(raw);
        return views_.size();
    }
    ParseRow(raw);
    return fields_.size();
}

bool CsvReader::Next(Chunk& out, std::vector<CsvRowError>& errors) {
    std::vector<LogicalType> types(columns_, LogicalType::Varchar());
    out = Chunk(types);
    if (sources_) sources_->clear();
    if (options_.enclose == 0 && options_.escape == 0 && options_.reference_input &&
        options_.column_separator.size() == 1 && options_.row_delimiter.size() == 1 &&
        options_.column_separator != options_.row_delimiter) {
        for (size_t c = 0; c < columns_; ++c) out.column(c).Resize(kChunkCapacity);
        return NextFast(out, errors);
    }
    for (size_t c = 0; c < columns_; ++c) out.column(c).Resize(kChunkCapacity);
    size_t n = 0;
    while (n < kChunkCapacity && pos_ < data_.size()) {
        ++line_;
        size_t line = line_;
        std::string_view raw;
        bool fast = options_.enclose == 0 && options_.escape == 0;
        bool good;
        if (fast) {
            good = SplitRow(raw);
        } else {
            good = ParseRow(raw);
            views_.assign(fields_.begin(), fields_.end());
        }
        // A final row delimiter leaves nothing after it: not a row.
        if (raw.empty() && views_.size() == 1 && views_[0].empty() && pos_ >= data_.size()) break;
        ++rows_seen_;
        if (!good) {
            std::string text(raw.substr(0, std::min<size_t>(raw.size(), 1024)));
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            errors.push_back({line, reason_, text, rows_seen_ - 1});
            continue;
        }
        for (size_t c = 0; c < columns_; ++c) {
            Column& col = out.column(c);
            bool is_null = fast ? options_.null_marker && views_[c] == "\\N" : field_null_[c];
            if (is_null) {
                col.SetNull(n, true);
            } else {
                col.SetNull(n, false);
                if (fast && options_.reference_input) {
                    col.Strings()[n] = StringView(views_[c].data(), static_cast<uint32_t>(views_[c].size()));
                } else {
                    col.SetString(n, views_[c]);
                }
            }
        }
        if (sources_) sources_->push_back(static_cast<uint32_t>(rows_seen_ - 1));
        ++n;
    }
    for (size_t c = 0; c < columns_; ++c) out.column(c).Resize(n);
    out.SetSize(n);
    return n > 0 || pos_ < data_.size();
}

}  // namespace floe
