#pragma once
/// A load's body as it arrives, cut into blocks of whole records so that each block parses on its
/// own: Stream Load parses and writes block after block while the rest of the body is still on the
/// wire, in memory bounded by the block size (not the body's).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

/// Where a body's bytes come from (an HTTP request, a string).
class BodySource {
  public:
    virtual ~BodySource() = default;
    /// Reads up to `capacity` bytes into `out`; returns 0 at the end of the body. Throws IOError
    /// when the body stops short (the connection dropped).
    virtual size_t Read(char* out, size_t capacity) = 0;
};

class StringBodySource : public BodySource {
  public:
    explicit StringBodySource(std::string_view data) : data_(data) {}
    size_t Read(char* out, size_t capacity) override;

  private:
    std::string_view data_;
    size_t pos_ = 0;
};

class RecordBlocks {
  public:
    /// Records end with `delimiter`; with `enclose` (and `escape`), a delimiter inside an enclosed
    /// field does not end one. `block_bytes` is the size blocks are read to (a record longer than
    /// that makes its block longer).
    RecordBlocks(BodySource& source, std::string delimiter, char enclose, char escape,
                 size_t block_bytes = size_t{64} << 20);
    /// A body already in memory: blocks are views of it (nothing is copied); it must outlive them.
    RecordBlocks(std::string_view body, std::string delimiter, char enclose, char escape,
                 size_t block_bytes = size_t{64} << 20);

    /// The next run of whole records (the body's last record may lack its delimiter); false at
    /// the end of the body. The block stays valid until the next call, or for the reader's
    /// lifetime after KeepBlocks().
    bool Next(std::string_view& block);
    /// Keeps every block in memory instead of reusing two buffers (for callers that hold rows
    /// referencing earlier blocks).
    void KeepBlocks() { keep_ = true; }  // (an in-memory body's blocks always stay valid)
    /// Reads the rest of the body as one block (documents parsed whole). Returns false, having
    /// read `limit` + 1 bytes, if it is longer than `limit`.
    bool ReadAll(std::string_view& block, size_t limit);
    /// Gives the last `n` bytes of the block just returned back, to begin the next block (a
    /// document the parser found incomplete). If that is the whole block, the next one is read
    /// to twice its size.
    void Unread(size_t n);
    /// True once the body has ended and every byte was returned.
    bool at_end() const { return source_ ? ended_ && tail_.empty() : whole_pos_ == whole_.size(); }
    /// Body bytes read so far.
    uint64_t bytes() const { return bytes_; }

  private:
    struct Buffer {
        std::unique_ptr<char[]> data;
        size_t capacity = 0;
        size_t size = 0;
        void Reserve(size_t n, bool keep_contents);
    };
    /// Reads into `b` until it holds at least `target` bytes or the body ends.
    void Fill(Buffer& b, size_t target);
    /// The end of the last whole record in `b` (0 if none).
    size_t Cut(std::string_view data) const;
    Buffer& Fresh();

    BodySource* source_ = nullptr;
    std::string_view whole_;  // the body, when in memory
    size_t whole_pos_ = 0;
    std::string delimiter_;
    char enclose_, escape_;
    size_t block_bytes_;
    size_t min_target_ = 0;  // after an Unread of a whole block
    bool keep_ = false;
    bool ended_ = false;
    uint64_t bytes_ = 0;
    std::vector<std::unique_ptr<Buffer>> buffers_;  // two reused, or every block kept
    size_t current_ = 0;                            // the buffer holding the last block returned
    std::string_view tail_;                         // bytes after the last cut, in buffers_[current_]
};

}  // namespace floe
