#pragma once
/// A growable byte buffer in mapped pages: anonymous memory (counted against the memory limit),
/// or a file mapped shared, whose pages the kernel writes back and evicts as it needs, so that
/// what stays resident is bounded by memory pressure rather than by the buffer's size (the
/// persistent primary-key index). New bytes read as zero.

#include <cstddef>
#include <string>

namespace floe {

class MappedBuffer {
  public:
    MappedBuffer() = default;
    /// Anonymous, `bytes` long.
    explicit MappedBuffer(size_t bytes);
    /// The file at `path`, created (or truncated) to `bytes` when `create`, else opened as it is.
    /// Throws IOError.
    MappedBuffer(const std::string& path, size_t bytes, bool create);
    ~MappedBuffer();
    MappedBuffer(MappedBuffer&& other) noexcept;
    MappedBuffer& operator=(MappedBuffer&& other) noexcept;
    MappedBuffer(const MappedBuffer&) = delete;
    MappedBuffer& operator=(const MappedBuffer&) = delete;

    char* data() const { return data_; }
    size_t size() const { return size_; }
    bool file_backed() const { return fd_ >= 0; }
    const std::string& path() const { return path_; }
    /// Grows (or shrinks) to `bytes`, keeping the contents; the data may move.
    void Resize(size_t bytes);
    /// Writes the pages to the file and waits (files only).
    void Sync() const;
    /// Renames the file (files only).
    void Rename(const std::string& path);

  private:
    void Release();
    char* data_ = nullptr;
    size_t size_ = 0;
    int fd_ = -1;
    std::string path_;
};

}  // namespace floe
