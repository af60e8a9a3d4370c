// INSERT INTO FILES(...) SELECT ...: unloading a query's rows to Parquet, CSV or JSON files, as
// StarRocks does (path, format, compression, single, target_max_file_size, partition_by, and
// csv.column_separator / csv.row_delimiter / csv.enclose / csv.include_header), to local paths
// under the file roots or to S3 (s3:// and s3a:// with the statement's own aws.s3.* properties).

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/physical_planner.h"
#include "format/file_sink.h"
#include "format/parquet/file_writer.h"
#include "function/cast.h"
#include "io/file_roots.h"
#include "io/s3_file_system.h"
#include "optimizer/optimizer.h"
#include "planner/planner.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

class ParquetSink : public FileSink {
  public:
    ParquetSink(std::unique_ptr<WritableFile> out, std::vector<std::string> names, std::vector<LogicalType> types,
                parquet::WriterOptions options)
        : writer_(std::move(out), std::move(names), std::move(types), options) {}
    void Append(const Chunk& chunk) override { writer_.Append(chunk); }
    void Finish() override { writer_.Finish(); }
    uint64_t bytes_written() const override { return writer_.bytes_written(); }

  private:
    parquet::ParquetFileWriter writer_;
};

std::string Unescape(const std::string& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            char n = v[++i];
            out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        } else {
            out += v[i];
        }
    }
    return out;
}

/// A partition directory name part: `col=value`, the value with '/', '=', '%' and control
/// characters percent-encoded (Hive's convention); NULL is __HIVE_DEFAULT_PARTITION__.
std::string PartitionDirectory(const std::string& column, const Column& values, uint32_t row) {
    std::string out = column + "=";
    if (values.IsNull(row)) return out + "__HIVE_DEFAULT_PARTITION__";
    for (unsigned char ch : values.GetValue(row).ToString()) {
        if (ch == '/' || ch == '=' || ch == '%' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
            out += fmt::format("%{:02X}", ch);
        } else {
            out += static_cast<char>(ch);
        }
    }
    return out;
}

/// "a, b,c" -> {"a", "b", "c"}.
std::vector<std::string> SplitNames(const std::string& v) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= v.size()) {
        size_t comma = v.find(',', pos);
        std::string name = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (!name.empty()) out.push_back(name);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

}  // namespace

QueryResult StatementExecutor::InsertIntoFiles(const ast::InsertStatement& s) {
    // Writing files on the server needs the FILE privilege (and the path a file root).
    session_.RequirePrivilege("FILE", ClientContext::SystemObject());
    std::string path, format = "parquet", compression;
    bool single = false;
    uint64_t max_file_size = uint64_t{1} << 30;  // StarRocks' default: 1 GB per file
    std::vector<std::string> partition_by, bloom_columns;
    TextSinkOptions text;
    text.column_separator = "\t";  // as FILES() reads CSV by default
    std::map<std::string, std::string> s3_properties;
    for (const auto& [k, v] : s.files) {
        std::string key = AsciiLower(k);
        if (S3Config::IsProperty(key)) {
            s3_properties[key] = v;
        } else if (key == "path") {
            path = v;
        } else if (key == "format") {
            format = AsciiLower(v);
        } else if (key == "compression") {
            compression = AsciiLower(v);
        } else if (key == "single") {
            single = AsciiLower(v) == "true";
        } else if (key == "target_max_file_size") {
            try {
                max_file_size = std::stoull(v);
            } catch (const std::exception&) {
                throw BinderError("target_max_file_size must be a number of bytes, not '" + v + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        } else if (key == "partition_by") {
            partition_by = SplitNames(v);
        } else if (key == "parquet.bloom_filter_columns") {
            bloom_columns = SplitNames(v);
        } else if (key == "csv.column_separator") {
            text.column_separator = Unescape(v);
        } else if (key == "csv.row_delimiter") {
            text.row_delimiter = Unescape(v);
        } else if (key == "csv.enclose") {
            text.enclose = v.empty() ? 0 : v[0];
        } else if (key == "csv.include_header") {
            text.header = AsciiLower(v) == "true";
        } else {
            throw BinderError("INSERT INTO FILES() does not know the property \"" + k + "\"",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    if (path.empty()) throw BinderError("INSERT INTO FILES() needs a \"path\"", ErrorCode::WRONG_ARGUMENTS);
    if (format != "parquet" && format != "csv" && format != "json") {
        throw NotSupportedError("INSERT INTO FILES() writes parquet, csv and json; '" + format + "' is not supported");
    }
    if (format != "parquet" && !compression.empty() && compression != "none" && compression != "uncompressed") {
        throw NotSupportedError("INSERT INTO FILES() writes " + format + " uncompressed, not '" + compression + "'");
    }
    if (text.column_separator.empty() || text.row_delimiter.empty()) {
        throw BinderError("csv.column_separator and csv.row_delimiter cannot be empty", ErrorCode::WRONG_ARGUMENTS);
    }
    // Where the files go: S3 with the statement's own keys (never a catalog's), or a local path
    // under a file root (checked again for each file written).
    std::shared_ptr<FileSystem> fs;
    const bool remote = IsS3Path(path);
    if (remote) {
        fs = std::make_shared<S3FileSystem>(S3Config::FromProperties(s3_properties));
    } else {
        if (!s3_properties.empty()) {
            throw BinderError(
                "INSERT INTO FILES(): \"" + s3_properties.begin()->first + "\" applies to s3:// paths only",
                ErrorCode::WRONG_ARGUMENTS);
        }
        if (path.rfind("file://", 0) == 0) path = path.substr(7);
        if (path.find("://") != std::string::npos) {
            throw NotSupportedError("INSERT INTO FILES() writes local paths, file:// and s3:// (s3a://), not '" + path +
                                    "'");
        }
        std::string checked = FileRoots::Check(path);
        path = path.back() == '/' ? checked + "/" : checked;
        fs = std::shared_ptr<FileSystem>(std::shared_ptr<FileSystem>(), &FileSystemFor(path));
    }
    parquet::WriterOptions parquet_options;
    parquet_options.codec = parquet::CodecFromName(compression.empty() ? "snappy" : compression);
    Binder binder(context_);
    auto bound = binder.BindQuery(*s.query);
    std::vector<std::string> names;
    std::vector<LogicalType> types;
    for (const auto& c : bound->output) {
        names.push_back(c.name);
        types.push_back(c.type.id == TypeId::NULL_TYPE ? LogicalType::Varchar() : c.type);
    }
    // partition_by columns become directories (col=value/...) and leave the files.
    std::vector<size_t> partition_columns, file_columns;
    for (const auto& name : partition_by) {
        size_t found = names.size();
        for (size_t c = 0; c < names.size(); ++c) {
            if (AsciiEqualsIgnoreCase(names[c], name)) found = c;
        }
        if (found == names.size()) {
            throw BinderError("partition_by column '" + name + "' is not among the query's columns",
                              ErrorCode::UNKNOWN_COLUMN);
        }
        partition_columns.push_back(found);
    }
    std::vector<std::string> file_names;
    std::vector<LogicalType> file_types;
    for (size_t c = 0; c < names.size(); ++c) {
        if (std::find(partition_columns.begin(), partition_columns.end(), c) != partition_columns.end()) continue;
        file_columns.push_back(c);
        file_names.push_back(names[c]);
        file_types.push_back(types[c]);
    }
    for (const auto& name : bloom_columns) {
        bool found = false;
        for (size_t c = 0; c < file_names.size(); ++c) {
            if (!AsciiEqualsIgnoreCase(file_names[c], name)) continue;
            parquet_options.bloom_columns.resize(file_names.size(), false);
            parquet_options.bloom_columns[c] = true;
            found = true;
        }
        if (!found) {
            throw BinderError("parquet.bloom_filter_columns names '" + name + "', which the files do not have",
                              ErrorCode::UNKNOWN_COLUMN);
        }
    }
    if (file_columns.empty()) {
        throw BinderError("partition_by cannot take every column of the query", ErrorCode::WRONG_ARGUMENTS);
    }
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    // Files are "<path>_<id>_<n>.<format>" (a path ending in '/' is a directory: "<path>data_..."),
    // under "<path>/<col>=<value>/" per partition with partition_by.
    std::string id = fmt::format("{:x}", std::chrono::system_clock::now().time_since_epoch().count() & 0xffffffffffff);
    std::vector<std::string> written;  // files completed
    struct Output {
        std::string prefix;
        std::string path;  // the file being written
        std::unique_ptr<FileSink> sink;
        size_t files = 0;
    };
    std::map<std::string, Output> outputs;  // by partition directory ("" without partition_by)
    uint64_t rows = 0;
    auto open_next = [&](Output& out) {
        out.path = fmt::format("{}_{}_{}.{}", out.prefix, id, out.files++, format);
        if (!remote) out.path = FileRoots::Check(out.path);
        auto file = fs->Create(out.path);  // local parents are created under the roots
        if (format == "parquet") {
            out.sink = std::make_unique<ParquetSink>(std::move(file), file_names, file_types, parquet_options);
        } else {
            out.sink = MakeTextSink(std::move(file), format == "json", file_names, file_types, text);
        }
    };
    auto finish = [&](Output& out) {
        out.sink->Finish();
        out.sink.reset();
        written.push_back(out.path);
    };
    auto output_for = [&](const std::string& dir) -> Output& {
        auto [it, fresh] = outputs.try_emplace(dir);
        if (fresh) {
            if (dir.empty()) {
                it->second.prefix = path.back() == '/' ? path + "data" : path;
            } else {
                std::string base = path.back() == '/' ? path : path + "/";
                it->second.prefix = base + dir + "/data";
            }
            open_next(it->second);
        }
        return it->second;
    };
    auto write = [&](Output& out, const Chunk& chunk) {
        out.sink->Append(chunk);
        if (!single && out.sink->bytes_written() >= max_file_size) {
            finish(out);
            open_next(out);
        }
    };
    try {
        if (partition_columns.empty()) output_for("");
        Executor::Run(
            *physical,
            [&](Chunk& chunk) {
                // Casts where the query's type differs from the column's stored type (NULL literals).
                for (size_t c = 0; c < types.size(); ++c) {
                    if (chunk.column(c).type() != types[c]) {
                        auto cast = std::make_shared<Column>(types[c], chunk.size());
                        cast->Resize(chunk.size());
                        CastColumn(chunk.column(c), chunk.size(), *cast);
                        chunk.SetColumn(c, cast);
                    }
                }
                rows += chunk.live_rows();
                if (partition_columns.empty()) {
                    write(outputs.begin()->second, chunk);
                    return;
                }
                // Split the chunk by partition directory; the files hold the other columns.
                std::map<std::string, std::unique_ptr<SelectionVector>> parts;
                for (size_t i = 0; i < chunk.live_rows(); ++i) {
                    uint32_t row = chunk.LiveRow(i);
                    std::string dir;
                    for (size_t c : partition_columns) {
                        dir += (dir.empty() ? "" : "/") + PartitionDirectory(names[c], chunk.column(c), row);
                    }
                    auto& sel = parts[dir];
                    if (!sel) sel = std::make_unique<SelectionVector>();
                    sel->push_back(row);
                }
                for (auto& [dir, sel] : parts) {
                    Chunk part;
                    for (size_t c : file_columns) part.AddColumn(chunk.shared_column(c));
                    part.SetSize(chunk.size());
                    part.SetSelection(std::move(sel));
                    write(output_for(dir), part);
                }
            },
            session_.interrupted_flag(), session_.PipelineDop());
        for (auto& [dir, out] : outputs) finish(out);
    } catch (...) {
        outputs.clear();  // files being written vanish with their writers
        try {
            if (!written.empty()) fs->Delete(written);
        } catch (const std::exception&) {
            // the statement's own error is the one to report
        }
        throw;
    }
    QueryResult result;
    result.affected_rows = rows;
    result.info = fmt::format("Records: {}  Files: {}", rows, written.size());
    return result;
}

}  // namespace floe
