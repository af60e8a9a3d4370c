#include "parquet_out.h"

#include <stdexcept>

#include "function/cast.h"

namespace floe::datagen {

LogicalType TypeFromName(const std::string& name) {
    if (name == "INT") return TypeId::INT;
    if (name == "BIGINT") return TypeId::BIGINT;
    if (name == "SMALLINT") return TypeId::SMALLINT;
    if (name == "DATE") return TypeId::DATE;
    if (name == "DATETIME") return TypeId::DATETIME;
    if (name.rfind("VARCHAR(", 0) == 0) return LogicalType::Varchar(std::stoi(name.substr(8)));
    if (name.rfind("DECIMAL(", 0) == 0) {
        size_t comma = name.find(',');
        return LogicalType::Decimal(static_cast<uint8_t>(std::stoi(name.substr(8))),
                                    static_cast<uint8_t>(std::stoi(name.substr(comma + 1))));
    }
    throw std::invalid_argument("no Parquet mapping for generator type " + name);
}

ParquetTableWriter::ParquetTableWriter(const std::string& path, const std::vector<std::string>& names,
                                       const std::vector<std::string>& types) {
    for (const auto& t : types) types_.push_back(TypeFromName(t));
    parquet::WriterOptions options;
    options.codec = parquet::Codec::ZSTD;
    writer_ = std::make_unique<parquet::ParquetFileWriter>(path, names, types_, options);
    text_ = Chunk(std::vector<LogicalType>(types_.size(), LogicalType::Varchar()));
    for (size_t c = 0; c < types_.size(); ++c) text_.column(c).Resize(kChunkCapacity);
}

void ParquetTableWriter::Row(const std::vector<std::string>& fields) {
    for (size_t c = 0; c < types_.size(); ++c) text_.column(c).SetString(pending_, fields[c]);
    ++rows_;
    if (++pending_ == kChunkCapacity) Flush();
}

void ParquetTableWriter::Flush() {
    if (pending_ == 0) return;
    Chunk typed;
    for (size_t c = 0; c < types_.size(); ++c) {
        auto column = std::make_shared<Column>(types_[c], pending_);
        column->Resize(pending_);
        CastColumn(text_.column(c), pending_, *column);
        typed.AddColumn(std::move(column));
    }
    typed.SetSize(pending_);
    writer_->Append(typed);
    text_ = Chunk(std::vector<LogicalType>(types_.size(), LogicalType::Varchar()));
    for (size_t c = 0; c < types_.size(); ++c) text_.column(c).Resize(kChunkCapacity);
    pending_ = 0;
}

void ParquetTableWriter::Finish() {
    Flush();
    writer_->Finish();
}

}  // namespace floe::datagen
