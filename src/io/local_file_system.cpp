#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/exception.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "io/s3_file_system.h"

namespace floe {

namespace {

std::string LocalPath(std::string_view path) {
    if (path.rfind("file://", 0) == 0) path.remove_prefix(7);
    return std::string(path);
}

class LocalFile : public RandomAccessFile {
  public:
    LocalFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
    ~LocalFile() override { ::close(fd_); }
    const std::string& path() const override { return path_; }
    uint64_t size() const override { return size_; }
    void ReadAt(uint64_t offset, size_t n, char* out) const override {
        if (offset > size_ || n > size_ - offset) {
            throw IOError("'" + path_ + "': read of " + std::to_string(n) + " bytes at offset " +
                          std::to_string(offset) + " is past the end of the file (" + std::to_string(size_) +
                          " bytes)");
        }
        size_t done = 0;
        while (done < n) {
            ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                throw IOError("'" + path_ + "': read failed: " + (got == 0 ? "unexpected end" : std::strerror(errno)));
            }
            done += static_cast<size_t>(got);
        }
    }

  private:
    std::string path_;
    int fd_;
    uint64_t size_;
};

/// A hidden temporary name beside `path` (hidden names are skipped by List()).
std::string TemporaryName(const std::string& path) {
    static std::atomic<uint64_t> counter{0};
    std::filesystem::path p(path);
    return (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                               std::to_string(counter.fetch_add(1))))
        .string();
}

void WriteAll(int fd, const std::string& path, const char* data, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = ::write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw IOError("cannot write '" + path + "': " + std::strerror(errno));
        done += static_cast<size_t>(w);
    }
}

void SyncDirectory(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

/// A local file written under a temporary name and renamed (or linked) into place.
class LocalWritableFile : public WritableFile {
  public:
    explicit LocalWritableFile(std::string path) : path_(std::move(path)), tmp_(TemporaryName(path_)) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
        if (ec) throw IOError("cannot create the directory of '" + path_ + "': " + ec.message());
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd_ < 0) throw IOError("cannot create '" + path_ + "': " + std::strerror(errno));
    }
    ~LocalWritableFile() override {
        if (fd_ >= 0) ::close(fd_);
        if (!done_) ::unlink(tmp_.c_str());
    }
    const std::string& path() const override { return path_; }
    void Append(std::string_view data) override {
        buffer_.append(data);
        written_ += data.size();
        if (buffer_.size() >= (size_t{1} << 20)) Flush();
    }
    void Close() override { Finish(false); }
    uint64_t bytes_written() const override { return written_; }

    /// Completes the file; with `exclusive`, only if nothing is at path() yet (false then).
    bool Finish(bool exclusive) {
        Flush();
        if (::fsync(fd_) != 0) throw IOError("cannot sync '" + path_ + "': " + std::strerror(errno));
        ::close(fd_);
        fd_ = -1;
        if (exclusive) {
            if (::link(tmp_.c_str(), path_.c_str()) != 0) {
                if (errno == EEXIST) return false;
                throw IOError("cannot create '" + path_ + "': " + std::strerror(errno));
            }
            ::unlink(tmp_.c_str());
        } else if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
            throw IOError("cannot rename '" + tmp_ + "' to '" + path_ + "': " + std::strerror(errno));
        }
        done_ = true;
        SyncDirectory(std::filesystem::path(path_).parent_path().string());
        return true;
    }

  private:
    void Flush() {
        WriteAll(fd_, path_, buffer_.data(), buffer_.size());
        buffer_.clear();
    }

    std::string path_;
    std::string tmp_;
    int fd_ = -1;
    std::string buffer_;
    uint64_t written_ = 0;
    bool done_ = false;
};

bool HasWildcard(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

class LocalFileSystem : public FileSystem {
  public:
    std::unique_ptr<RandomAccessFile> Open(const std::string& path) override {
        std::string p = FileRoots::Check(path);
        // The checked path has no symlinks left: one appearing since is not followed.
        int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) throw IOError("cannot open '" + p + "': " + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd);
            throw IOError("'" + p + "' is not a regular file");
        }
        return std::make_unique<LocalFile>(p, fd, static_cast<uint64_t>(st.st_size));
    }

    std::vector<FileInfo> ListTree(const std::string& directory) override {
        namespace fs = std::filesystem;
        std::string root = FileRoots::Check(LocalPath(directory));
        // Paths come back spelled as `directory` was (not canonical), so that they compare with
        // the paths table metadata holds.
        std::string given = directory;
        while (given.size() > 1 && given.back() == '/') given.pop_back();
        std::vector<FileInfo> out;
        std::error_code ec;
        if (!fs::is_directory(root, ec)) return out;
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            struct stat st {};
            // Symbolic links are not followed (and never listed as files).
            if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            std::string relative = fs::relative(it->path(), root, ec).generic_string();
            if (ec || relative.empty() || relative.rfind("..", 0) == 0) continue;
            out.push_back({given + "/" + relative, static_cast<uint64_t>(st.st_size),
                           static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000});
        }
        if (ec) throw IOError("cannot list '" + root + "': " + ec.message());
        std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
        return out;
    }

    std::vector<FileInfo> List(const std::string& pattern) override {
        namespace fs = std::filesystem;
        std::string p = LocalPath(pattern);
        // The part before the first wildcard must itself be allowed before anything is listed
        // (a listing outside the roots would tell which files exist there).
        if (!HasWildcard(p)) {
            p = FileRoots::Check(p);
        } else {
            size_t wild = p.find_first_of("*?[");
            size_t slash = p.rfind('/', wild);
            std::string fixed = slash == std::string::npos ? "." : p.substr(0, slash + 1);
            std::string checked = FileRoots::Check(fixed.empty() ? "/" : fixed);
            p = checked + (slash == std::string::npos ? "/" + p : p.substr(slash));
        }
        std::vector<FileInfo> out;
        std::error_code ec;
        auto add = [&](const fs::path& f) {
            std::error_code e;
            if (fs::is_regular_file(f, e)) out.push_back({f.string(), static_cast<uint64_t>(fs::file_size(f, e))});
        };
        if (!HasWildcard(p)) {
            if (fs::is_directory(p, ec)) {
                for (const auto& entry : fs::directory_iterator(p, ec)) {
                    std::string name = entry.path().filename().string();
                    if (!name.empty() && name[0] != '.' && name[0] != '_') add(entry.path());
                }
            } else {
                add(p);
            }
        } else {
            // Expand the pattern one path component at a time.
            fs::path full(p);
            std::vector<std::string> parts;
            for (const auto& part : full) parts.push_back(part.string());
            std::vector<fs::path> current = {full.is_absolute() ? fs::path("/") : fs::path(".")};
            size_t first = full.is_absolute() ? 1 : 0;
            for (size_t i = first; i < parts.size(); ++i) {
                std::vector<fs::path> next;
                bool last = i + 1 == parts.size();
                for (const auto& dir : current) {
                    if (!HasWildcard(parts[i])) {
                        fs::path candidate = dir / parts[i];
                        if (fs::exists(candidate, ec)) next.push_back(candidate);
                        continue;
                    }
                    for (const auto& entry : fs::directory_iterator(dir, ec)) {
                        std::string name = entry.path().filename().string();
                        if (::fnmatch(parts[i].c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
                        if (!last && !entry.is_directory(ec)) continue;
                        next.push_back(entry.path());
                    }
                }
                current = std::move(next);
            }
            for (const auto& f : current) add(f.lexically_normal());
        }
        // A matched name may be a symlink that leads elsewhere: every file is checked itself.
        for (auto& f : out) f.path = FileRoots::Check(f.path);
        std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
        if (out.empty()) throw IOError("no files match '" + pattern + "'");
        return out;
    }

    std::unique_ptr<WritableFile> Create(const std::string& path) override {
        return std::make_unique<LocalWritableFile>(FileRoots::Check(path));
    }

    bool CreateIfAbsent(const std::string& path, std::string_view bytes) override {
        LocalWritableFile file(FileRoots::Check(path));
        file.Append(bytes);
        return file.Finish(true);
    }

    void Delete(const std::vector<std::string>& paths) override {
        for (const auto& path : paths) {
            std::string p = FileRoots::Check(path);
            if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
                throw IOError("cannot delete '" + p + "': " + std::strerror(errno));
            }
        }
    }

    bool Exists(const std::string& path) override {
        struct stat st {};
        return ::stat(FileRoots::Check(path).c_str(), &st) == 0;
    }
};

}  // namespace

namespace {

class InMemoryFile : public RandomAccessFile {
  public:
    InMemoryFile(std::string path, std::string bytes) : path_(std::move(path)), bytes_(std::move(bytes)) {}
    const std::string& path() const override { return path_; }
    uint64_t size() const override { return bytes_.size(); }
    void ReadAt(uint64_t offset, size_t n, char* out) const override {
        if (offset > bytes_.size() || n > bytes_.size() - offset) {
            throw IOError("'" + path_ + "': read of " + std::to_string(n) + " bytes at offset " +
                          std::to_string(offset) + " is past the end of the file (" + std::to_string(bytes_.size()) +
                          " bytes)");
        }
        if (n) std::memcpy(out, bytes_.data() + offset, n);
    }

  private:
    std::string path_;
    std::string bytes_;
};

}  // namespace

std::unique_ptr<RandomAccessFile> MemoryFile(std::string path, std::string bytes) {
    return std::make_unique<InMemoryFile>(std::move(path), std::move(bytes));
}

FileSystem& FileSystemFor(std::string_view path) {
    static LocalFileSystem local;
    static S3FileSystem s3;
    if (IsS3Path(path)) return s3;
    size_t scheme = path.find("://");
    if (scheme != std::string_view::npos && path.substr(0, scheme) != "file") {
        throw NotSupportedError("cannot read '" + std::string(path) + "': the " + std::string(path.substr(0, scheme)) +
                                ":// scheme is not supported yet (local paths, file://, s3:// and s3a:// are)");
    }
    return local;
}

namespace {

class CountedFile : public RandomAccessFile {
  public:
    CountedFile(std::unique_ptr<RandomAccessFile> file, std::shared_ptr<std::atomic<uint64_t>> bytes)
        : file_(std::move(file)), bytes_(std::move(bytes)) {}
    const std::string& path() const override { return file_->path(); }
    uint64_t size() const override { return file_->size(); }
    void ReadAt(uint64_t offset, size_t n, char* out) const override {
        file_->ReadAt(offset, n, out);
        bytes_->fetch_add(n, std::memory_order_relaxed);
    }
    std::optional<FileIdentity> identity() const override { return file_->identity(); }
    void SetRemoteReadOptions(RemoteReadOptions options) override { file_->SetRemoteReadOptions(std::move(options)); }

  private:
    std::unique_ptr<RandomAccessFile> file_;
    std::shared_ptr<std::atomic<uint64_t>> bytes_;
};

}  // namespace

void WriteWholeFile(const std::string& path, std::string_view bytes) {
    auto file = FileSystemFor(path).Create(path);
    file->Append(bytes);
    file->Close();
}

std::string ReadWholeFile(const std::string& path) {
    auto file = FileSystemFor(path).Open(path);
    return file->ReadAt(0, file->size());
}

std::unique_ptr<RandomAccessFile> CountingFile(std::unique_ptr<RandomAccessFile> file,
                                               std::shared_ptr<std::atomic<uint64_t>> bytes_read) {
    return std::make_unique<CountedFile>(std::move(file), std::move(bytes_read));
}

}  // namespace floe
