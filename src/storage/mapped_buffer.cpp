#include "storage/mapped_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "common/exception.h"
#include "common/memory_tracker.h"

namespace floe {

namespace {

// mmap refuses length 0: an empty buffer maps one page.
size_t MapLength(size_t bytes) {
    return bytes == 0 ? 4096 : bytes;
}

std::string Errno() {
    return std::strerror(errno);
}

}  // namespace

MappedBuffer::MappedBuffer(size_t bytes) : size_(bytes) {
    void* p = ::mmap(nullptr, MapLength(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, MapLength(bytes), MADV_HUGEPAGE);  // advisory: fine if the system says no
    data_ = static_cast<char*>(p);
    MemoryTracker::ChargeThread(static_cast<int64_t>(MapLength(bytes)));
}

MappedBuffer::MappedBuffer(const std::string& path, size_t bytes, bool create) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (fd_ < 0) throw IOError("cannot open '" + path + "': " + Errno());
    if (create) {
        if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0) {
            ::close(fd_);
            throw IOError("cannot size '" + path + "': " + Errno());
        }
        size_ = bytes;
    } else {
        off_t end = ::lseek(fd_, 0, SEEK_END);
        if (end < 0) {
            ::close(fd_);
            throw IOError("cannot read '" + path + "': " + Errno());
        }
        size_ = static_cast<size_t>(end);
    }
    if (size_ == 0 && ::ftruncate(fd_, 4096) != 0) {
        ::close(fd_);
        throw IOError("cannot size '" + path + "': " + Errno());
    }
    void* p = ::mmap(nullptr, MapLength(size_), PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
        ::close(fd_);
        throw IOError("cannot map '" + path + "': " + Errno());
    }
    data_ = static_cast<char*>(p);
}

MappedBuffer::~MappedBuffer() {
    Release();
}

void MappedBuffer::Release() {
    if (!data_) return;
    ::munmap(data_, MapLength(size_));
    if (fd_ >= 0) {
        ::close(fd_);
    } else {
        MemoryTracker::ChargeThread(-static_cast<int64_t>(MapLength(size_)));
    }
    data_ = nullptr;
    fd_ = -1;
    size_ = 0;
}

MappedBuffer::MappedBuffer(MappedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)) {}

MappedBuffer& MappedBuffer::operator=(MappedBuffer&& other) noexcept {
    if (this != &other) {
        Release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

void MappedBuffer::Resize(size_t bytes) {
    if (!data_) {
        *this = MappedBuffer(bytes);
        return;
    }
    if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(MapLength(bytes))) != 0) {
        throw IOError("cannot grow '" + path_ + "': " + Errno());
    }
    void* p = ::mremap(data_, MapLength(size_), MapLength(bytes), MREMAP_MAYMOVE);
    if (p == MAP_FAILED) {
        if (fd_ >= 0) throw IOError("cannot map '" + path_ + "': " + Errno());
        throw std::bad_alloc();
    }
    if (fd_ < 0) {
        MemoryTracker::ChargeThread(static_cast<int64_t>(MapLength(bytes)) - static_cast<int64_t>(MapLength(size_)));
    }
    data_ = static_cast<char*>(p);
    size_ = bytes;
}

void MappedBuffer::Sync() const {
    if (fd_ < 0 || !data_) return;
    if (::msync(data_, MapLength(size_), MS_SYNC) != 0) throw IOError("cannot write '" + path_ + "': " + Errno());
}

void MappedBuffer::Rename(const std::string& path) {
    if (fd_ < 0) return;
    if (::rename(path_.c_str(), path.c_str()) != 0) {
        throw IOError("cannot rename '" + path_ + "' to '" + path + "': " + Errno());
    }
    path_ = path;
}

}  // namespace floe
