#include "storage/segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/crc32.h"
#include "common/exception.h"

namespace floe {

namespace {

constexpr char kMagic[8] = {'F', 'L', 'O', 'E', 'S', 'E', 'G', '1'};
constexpr uint32_t kVersion = 1;

bool IsStringType(const LogicalType& t) {
    return t.PhysicalSize() == 16 && (t.IsString() || t.id >= TypeId::BITMAP);
}

template <typename T>
void Put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T Get(const std::string& in, size_t& pos, const std::string& path) {
    if (pos + sizeof(T) > in.size()) throw IOError("segment '" + path + "' is truncated (footer)");
    T v;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IOError("cannot write segment '" + path + "': " + std::strerror(errno));
        }
        off += static_cast<size_t>(n);
    }
}

void FsyncDirectory(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

SegmentWriter::SegmentWriter(std::string path, std::vector<LogicalType> types)
    : path_(std::move(path)), types_(std::move(types)) {
    for (const auto& t : types_) columns_.push_back(std::make_unique<Column>(t, 0));
}

void SegmentWriter::Append(const Chunk& chunk) {
    size_t live = chunk.live_rows();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = chunk.LiveRow(i);
    for (size_t c = 0; c < columns_.size(); ++c) columns_[c]->AppendRows(chunk.column(c), rows.data(), live);
    rows_ += live;
}

uint64_t SegmentWriter::Finish() {
    std::string file(kMagic, sizeof(kMagic));
    Put<uint32_t>(file, kVersion);
    std::string footer;
    Put<uint64_t>(footer, rows_);
    Put<uint32_t>(footer, static_cast<uint32_t>(columns_.size()));
    for (size_t c = 0; c < columns_.size(); ++c) {
        const Column& col = *columns_[c];
        std::string block(reinterpret_cast<const char*>(col.nulls()), rows_);
        uint64_t nulls = 0;
        for (size_t r = 0; r < rows_; ++r) nulls += col.nulls()[r] ? 1 : 0;
        if (IsStringType(types_[c])) {
            for (size_t r = 0; r < rows_; ++r) Put<uint32_t>(block, col.Strings()[r].size());
            for (size_t r = 0; r < rows_; ++r) block.append(col.Strings()[r].view());
        } else {
            block.append(reinterpret_cast<const char*>(col.Data<uint8_t>()), rows_ * types_[c].PhysicalSize());
        }
        Put<uint8_t>(footer, static_cast<uint8_t>(types_[c].id));
        Put<uint8_t>(footer, types_[c].precision);
        Put<uint8_t>(footer, types_[c].scale);
        Put<uint64_t>(footer, file.size());
        Put<uint64_t>(footer, block.size());
        Put<uint64_t>(footer, nulls);
        Put<uint32_t>(footer, Crc32(block.data(), block.size()));
        file += block;
    }
    file += footer;
    Put<uint32_t>(file, static_cast<uint32_t>(footer.size()));
    Put<uint32_t>(file, Crc32(footer.data(), footer.size()));
    file.append(kMagic, sizeof(kMagic));

    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    std::string tmp = path_ + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IOError("cannot create segment '" + tmp + "': " + std::strerror(errno));
    try {
        WriteAll(fd, file, tmp);
        if (::fsync(fd) != 0) throw IOError("cannot fsync segment '" + tmp + "': " + std::strerror(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw IOError("cannot rename segment to '" + path_ + "': " + std::strerror(errno));
    }
    FsyncDirectory(path_);
    return file.size();
}

SegmentReader::SegmentReader(const std::string& path, const std::vector<LogicalType>& expected_types) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IOError("cannot open segment '" + path + "': " + std::strerror(errno));
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    constexpr size_t kTrailer = 4 + 4 + sizeof(kMagic);
    if (file.size() < sizeof(kMagic) + 4 + kTrailer || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0 ||
        std::memcmp(file.data() + file.size() - sizeof(kMagic), kMagic, sizeof(kMagic)) != 0) {
        throw IOError("segment '" + path + "' is truncated or not a Floe segment (bad magic)");
    }
    size_t pos = sizeof(kMagic);
    uint32_t version = Get<uint32_t>(file, pos, path);
    if (version != kVersion) throw IOError("segment '" + path + "' has unsupported version " + std::to_string(version));
    size_t trailer = file.size() - kTrailer;
    pos = trailer;
    uint32_t footer_len = Get<uint32_t>(file, pos, path);
    uint32_t footer_crc = Get<uint32_t>(file, pos, path);
    if (footer_len > trailer - sizeof(kMagic) - 4) throw IOError("segment '" + path + "' has a corrupt footer length");
    std::string footer = file.substr(trailer - footer_len, footer_len);
    if (Crc32(footer.data(), footer.size()) != footer_crc) {
        throw IOError("segment '" + path + "' footer checksum mismatch (corrupt file)");
    }
    pos = 0;
    rows_ = Get<uint64_t>(footer, pos, path);
    uint32_t ncols = Get<uint32_t>(footer, pos, path);
    if (ncols != expected_types.size()) {
        throw IOError("segment '" + path + "' has " + std::to_string(ncols) + " columns, the table has " +
                      std::to_string(expected_types.size()));
    }
    for (uint32_t c = 0; c < ncols; ++c) {
        auto id = static_cast<TypeId>(Get<uint8_t>(footer, pos, path));
        Get<uint8_t>(footer, pos, path);
        Get<uint8_t>(footer, pos, path);
        uint64_t offset = Get<uint64_t>(footer, pos, path);
        uint64_t length = Get<uint64_t>(footer, pos, path);
        Get<uint64_t>(footer, pos, path);
        uint32_t crc = Get<uint32_t>(footer, pos, path);
        const LogicalType& type = expected_types[c];
        if (id != type.id)
            throw IOError("segment '" + path + "' column " + std::to_string(c) + " has a different type");
        if (offset + length > trailer - footer_len || offset < sizeof(kMagic) + 4) {
            throw IOError("segment '" + path + "' column block " + std::to_string(c) + " lies outside the file");
        }
        const char* block = file.data() + offset;
        if (Crc32(block, length) != crc) {
            throw IOError("segment '" + path + "' column " + std::to_string(c) + " checksum mismatch (corrupt file)");
        }
        auto col = std::make_unique<Column>(type, rows_);
        col->Resize(rows_);
        if (length < rows_) throw IOError("segment '" + path + "' column block is too short");
        std::memcpy(col->nulls(), block, rows_);
        size_t p = rows_;
        if (IsStringType(type)) {
            if (length < rows_ * 5) throw IOError("segment '" + path + "' string block is too short");
            const char* lengths = block + p;
            size_t data = p + rows_ * 4;
            for (size_t r = 0; r < rows_; ++r) {
                uint32_t len;
                std::memcpy(&len, lengths + r * 4, 4);
                if (data + len > length) throw IOError("segment '" + path + "' string data lies outside its block");
                col->SetString(r, std::string_view(block + data, len));
                data += len;
            }
        } else {
            size_t need = rows_ * type.PhysicalSize();
            if (p + need > length) throw IOError("segment '" + path + "' column block is too short");
            std::memcpy(col->Data<uint8_t>(), block + p, need);
        }
        columns_.push_back(std::move(col));
    }
}

void SegmentReader::Read(size_t start, size_t count, Chunk& out) const {
    out = Chunk();
    std::vector<uint32_t> rows(count);
    for (size_t i = 0; i < count; ++i) rows[i] = static_cast<uint32_t>(start + i);
    for (const auto& c : columns_) {
        auto col = std::make_shared<Column>(c->type(), count);
        col->AppendRows(*c, rows.data(), count);
        out.AddColumn(std::move(col));
    }
    out.SetSize(count);
}

void RemoveSegmentFile(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

}  // namespace floe
