#include "format/csv/csv_reader.h"

#include <cstring>

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

bool CsvReader::Next(Chunk& out, std::vector<CsvRowError>& errors) {
    std::vector<LogicalType> types(columns_, LogicalType::Varchar());
    out = Chunk(types);
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
            errors.push_back({line, reason_, text});
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
        ++n;
    }
    for (size_t c = 0; c < columns_; ++c) out.column(c).Resize(n);
    out.SetSize(n);
    return n > 0 || pos_ < data_.size();
}

}  // namespace floe
