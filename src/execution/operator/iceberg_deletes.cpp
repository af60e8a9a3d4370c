#include "execution/operator/iceberg_deletes.h"

#include <algorithm>
#include <cstring>

#include "common/crc32.h"
#include "common/exception.h"
#include "format/parquet/file_reader.h"
#include "function/cast.h"
#include "io/file_system.h"
#include "lake/iceberg/deletion_vector.h"
#include "vector/row_key.h"

namespace floe {

namespace {

std::unique_ptr<parquet::ParquetFileReader> OpenParquet(const std::string& path) {
    return std::make_unique<parquet::ParquetFileReader>(FileSystemFor(path).Open(path));
}

/// A deletion vector (v3, Puffin "deletion-vector-v1"; lake/iceberg/deletion_vector.h): the
/// positions, sorted.
std::vector<int64_t> ReadDeletionVector(const iceberg::DeleteFileRef& ref) {
    const std::string what = "deletion vector in '" + ref.path + "'";
    if (!ref.content_offset || !ref.content_size) throw IOError(what + ": the manifest gives no content offset/size");
    if (*ref.content_size < 12 || *ref.content_size > (int64_t{1} << 31)) {
        throw IOError(what + ": blob size " + std::to_string(*ref.content_size) + " is impossible");
    }
    auto file = FileSystemFor(ref.path).Open(ref.path);
    if (*ref.content_offset < 0 || *ref.content_offset + *ref.content_size > static_cast<int64_t>(file->size())) {
        throw IOError(what + ": the blob lies outside the file");
    }
    std::string blob = file->ReadAt(static_cast<uint64_t>(*ref.content_offset), static_cast<size_t>(*ref.content_size));
    return iceberg::DecodeDeletionVector(blob, what);
}

}  // namespace

void AppendEqualityKey(const std::vector<const Column*>& columns, uint32_t row, std::string& key) {
    for (const Column* c : columns) {
        if (c->IsNull(row)) {
            key.push_back('\0');
            continue;
        }
        key.push_back('\1');
        AppendRowKey({c}, row, key);
    }
}

IcebergDeleteReader::IcebergDeleteReader(std::shared_ptr<const iceberg::IcebergScanPlan> plan)
    : plan_(std::move(plan)) {}

std::shared_ptr<const IcebergDeleteReader::PositionMap> IcebergDeleteReader::PositionsOf(size_t d) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = positions_.find(d);
        if (it != positions_.end()) return it->second;
    }
    const iceberg::DeleteFileRef& ref = plan_->delete_files[d];
    auto map = std::make_shared<PositionMap>();
    if (ref.format == "PUFFIN") {
        if (!ref.referenced_data_file) throw IOError("deletion vector in '" + ref.path + "' names no data file");
        (*map)[*ref.referenced_data_file] = ReadDeletionVector(ref);
    } else if (ref.format == "PARQUET") {
        for (auto& [raw, list] : iceberg::ReadPositionDeletes(ref.path)) {
            std::string resolved = plan_->resolve_path ? plan_->resolve_path(raw) : raw;
            auto& into = (*map)[resolved];
            if (into.empty()) {
                into = std::move(list);
            } else {  // two spellings of one file
                into.insert(into.end(), list.begin(), list.end());
                std::sort(into.begin(), into.end());
                into.erase(std::unique(into.begin(), into.end()), into.end());
            }
        }
    } else {
        throw NotSupportedError("position delete file '" + ref.path + "' is " + ref.format +
                                "; Floe reads Parquet delete files and Puffin deletion vectors");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    positions_[d] = map;
    return map;
}

std::shared_ptr<const EqualityDeleteSet> IcebergDeleteReader::EqualityOf(size_t d) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = equality_.find(d);
        if (it != equality_.end()) return it->second;
    }
    const iceberg::DeleteFileRef& ref = plan_->delete_files[d];
    if (ref.format != "PARQUET") {
        throw NotSupportedError("equality delete file '" + ref.path + "' is " + ref.format +
                                "; Floe reads Parquet delete files");
    }
    auto set = std::make_shared<EqualityDeleteSet>();
    auto file = OpenParquet(ref.path);
    std::vector<Column> keys;
    for (size_t k = 0; k < ref.equality_ids.size(); ++k) {
        int column = k < ref.equality_columns.size() ? ref.equality_columns[k] : -1;
        if (column < 0) {
            throw NotSupportedError("equality delete file '" + ref.path + "' keys on field id " +
                                    std::to_string(ref.equality_ids[k]) + ", which the table's schema no longer has");
        }
        const SourceColumn& target = plan_->columns[static_cast<size_t>(column)];
        int c = parquet::FindColumn(*file, ref.equality_ids[k], target.name);
        if (c < 0) {
            throw IOError("equality delete file '" + ref.path + "' has no column with field id " +
                          std::to_string(ref.equality_ids[k]));
        }
        Column raw = parquet::ReadWholeColumn(*file, static_cast<size_t>(c));
        if (raw.type() == target.type) {
            keys.push_back(std::move(raw));
        } else {
            Column cast(target.type, raw.size());
            cast.Resize(raw.size());
            CastColumn(raw, raw.size(), cast);
            keys.push_back(std::move(cast));
        }
        set->columns.push_back(column);
    }
    std::vector<const Column*> pointers;
    for (const auto& k : keys) pointers.push_back(&k);
    size_t rows = keys.empty() ? 0 : keys[0].size();
    std::string key;
    for (size_t r = 0; r < rows; ++r) {
        key.clear();
        AppendEqualityKey(pointers, static_cast<uint32_t>(r), key);
        set->keys.insert(key);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    equality_[d] = set;
    return set;
}

std::shared_ptr<const FileDeletes> IcebergDeleteReader::ForFile(size_t task) {
    const iceberg::DataFileTask& t = plan_->files[task];
    if (t.deletes.empty()) return nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = files_.find(task);
        if (it != files_.end()) return it->second;
    }
    auto deletes = std::make_shared<FileDeletes>();
    for (size_t d : t.deletes) {
        const iceberg::DeleteFileRef& ref = plan_->delete_files[d];
        if (ref.content == iceberg::DeleteFileRef::Content::POSITION) {
            auto map = PositionsOf(d);
            auto it = map->find(t.path);
            if (it == map->end()) continue;
            deletes->positions.insert(deletes->positions.end(), it->second.begin(), it->second.end());
        } else {
            deletes->equality.push_back(EqualityOf(d));
        }
    }
    std::sort(deletes->positions.begin(), deletes->positions.end());
    deletes->positions.erase(std::unique(deletes->positions.begin(), deletes->positions.end()),
                             deletes->positions.end());
    std::shared_ptr<const FileDeletes> result = deletes->empty() ? nullptr : deletes;
    std::lock_guard<std::mutex> lock(mutex_);
    files_[task] = result;
    return result;
}

void IcebergDeleteReader::Apply(const FileDeletes& deletes, const Chunk& chunk, size_t n, int64_t first_row,
                                const std::vector<int>& columns, uint8_t* keep) {
    if (!deletes.positions.empty()) {
        auto it = std::lower_bound(deletes.positions.begin(), deletes.positions.end(), first_row);
        const int64_t end = first_row + static_cast<int64_t>(n);
        for (; it != deletes.positions.end() && *it < end; ++it) keep[*it - first_row] = 0;
    }
    std::string key;
    std::vector<const Column*> key_columns;
    for (const auto& eq : deletes.equality) {
        key_columns.clear();
        for (int c : eq->columns) {
            int at = c >= 0 && static_cast<size_t>(c) < columns.size() ? columns[static_cast<size_t>(c)] : -1;
            if (at < 0) throw InternalError("an equality delete's key column is not read by the scan");
            key_columns.push_back(&chunk.column(static_cast<size_t>(at)));
        }
        for (size_t r = 0; r < n; ++r) {
            if (!keep[r]) continue;
            key.clear();
            AppendEqualityKey(key_columns, static_cast<uint32_t>(r), key);
            if (eq->keys.count(key)) keep[r] = 0;
        }
    }
}

}  // namespace floe
