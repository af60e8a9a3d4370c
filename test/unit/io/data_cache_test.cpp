#include "io/data_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>

#include "common/exception.h"

namespace floe {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kBlock = 1024;

/// A remote file whose bytes are a function of their offset, counting the fetches.
struct FakeRemote {
    explicit FakeRemote(uint64_t size, char salt = 0) : size(size), salt(salt) {}
    uint64_t size;
    char salt;
    std::atomic<int> fetches{0};
    std::mutex mutex;
    std::set<uint64_t> offsets;

    static char ByteAt(uint64_t offset, char salt) { return static_cast<char>((offset * 31 + 7) % 251 + salt); }
    std::string Expected(uint64_t offset, size_t n) const {
        std::string s(n, '\0');
        for (size_t i = 0; i < n; ++i) s[i] = ByteAt(offset + i, salt);
        return s;
    }
    DataCache::RemoteRead Reader() {
        return [this](uint64_t offset, size_t n, char* out) {
            ++fetches;
            {
                std::lock_guard<std::mutex> lock(mutex);
                offsets.insert(offset);
            }
            if (offset + n > size) throw IOError("read past the end");
            std::string s = Expected(offset, n);
            std::copy(s.begin(), s.end(), out);
        };
    }
};

std::string Read(DataCache& cache, const FileIdentity& id, FakeRemote& remote, uint64_t offset, size_t n,
                 DataCacheCounters* counters = nullptr) {
    std::string out(n, '\0');
    cache.Read(id, offset, n, out.data(), remote.Reader(), counters);
    return out;
}

class DataCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("floe_datacache_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::vector<fs::path> Entries() const {
        std::vector<fs::path> out;
        for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
        return out;
    }
    fs::path dir_;
};

TEST(ParseCacheSizeTest, UnitsAndPercents) {
    EXPECT_EQ(ParseCacheSize("1048576", 0), 1048576u);
    EXPECT_EQ(ParseCacheSize("256M", 0), uint64_t{256} << 20);
    EXPECT_EQ(ParseCacheSize("10g", 0), uint64_t{10} << 30);
    EXPECT_EQ(ParseCacheSize("512KB", 0), uint64_t{512} << 10);
    EXPECT_EQ(ParseCacheSize(" 2T ", 0), uint64_t{2} << 40);
    EXPECT_EQ(ParseCacheSize("10%", 1000), 100u);
    EXPECT_EQ(ParseCacheSize("0", 0), 0u);
    EXPECT_THROW(ParseCacheSize("", 0), IOError);
    EXPECT_THROW(ParseCacheSize("ten", 0), IOError);
    EXPECT_THROW(ParseCacheSize("10X", 0), IOError);
    EXPECT_THROW(ParseCacheSize("150%", 100), IOError);
    EXPECT_THROW(ParseCacheSize("-1", 0), IOError);
}

TEST_F(DataCacheTest, SecondReadIsServedFromMemory) {
    DataCache cache(1 << 20, 0, kBlock);
    FakeRemote remote(10 * kBlock + 100);
    FileIdentity id{"s3://b/f", remote.size, "\"e1\""};
    DataCacheCounters scan;
    EXPECT_EQ(Read(cache, id, remote, 500, 3000, &scan), remote.Expected(500, 3000));
    EXPECT_EQ(remote.fetches.load(), 4);  // blocks 0..3, fetched in parallel
    EXPECT_EQ(scan.misses.load(), 4u);
    EXPECT_EQ(scan.bytes_from_remote.load(), 4 * kBlock);
    EXPECT_EQ(Read(cache, id, remote, 600, 2000, &scan), remote.Expected(600, 2000));
    EXPECT_EQ(remote.fetches.load(), 4);
    EXPECT_EQ(scan.hits.load(), 3u);  // 600..2600 spans blocks 0, 1 and 2
    EXPECT_EQ(scan.bytes_from_cache.load(), 2000u);
}

TEST_F(DataCacheTest, LastBlockIsShortAndHitsCountBytes) {
    DataCache cache(1 << 20, 0, kBlock);
    FakeRemote remote(2 * kBlock + 10);
    FileIdentity id{"s3://b/f", remote.size, "e"};
    EXPECT_EQ(Read(cache, id, remote, 2 * kBlock, 10), remote.Expected(2 * kBlock, 10));
    DataCacheCounters scan;
    EXPECT_EQ(Read(cache, id, remote, 2 * kBlock + 4, 6, &scan), remote.Expected(2 * kBlock + 4, 6));
    EXPECT_EQ(scan.hits.load(), 1u);
    EXPECT_EQ(scan.misses.load(), 0u);
    EXPECT_EQ(scan.bytes_from_cache.load(), 6u);
    EXPECT_EQ(remote.fetches.load(), 1);
}

TEST_F(DataCacheTest, NewVersionMisses) {
    DataCache cache(1 << 20, 0, kBlock);
    FakeRemote old_remote(3000, 0), new_remote(3000, 1);
    FileIdentity old_id{"s3://b/f", 3000, "\"v1\""}, new_id{"s3://b/f", 3000, "\"v2\""};
    EXPECT_EQ(Read(cache, old_id, old_remote, 0, 3000), old_remote.Expected(0, 3000));
    EXPECT_EQ(Read(cache, new_id, new_remote, 0, 3000), new_remote.Expected(0, 3000));
    EXPECT_EQ(new_remote.fetches.load(), 3);
    // A size change alone is another identity too.
    FakeRemote longer(3001, 2);
    EXPECT_EQ(Read(cache, {"s3://b/f", 3001, "\"v2\""}, longer, 0, 100), longer.Expected(0, 100));
    EXPECT_EQ(longer.fetches.load(), 1);
}

TEST_F(DataCacheTest, MemoryLruEvictsLeastRecentlyUsed) {
    DataCache cache(3 * kBlock, 0, kBlock);
    FakeRemote remote(10 * kBlock);
    FileIdentity id{"s3://b/f", remote.size, "e"};
    for (uint64_t b : {0, 1, 2}) Read(cache, id, remote, b * kBlock, 1);
    Read(cache, id, remote, 0, 1);           // block 0 is now the most recently used
    Read(cache, id, remote, 3 * kBlock, 1);  // evicts block 1
    EXPECT_EQ(cache.usage().mem_blocks, 3u);
    EXPECT_LE(cache.usage().mem_used, 3 * kBlock);
    int before = remote.fetches.load();
    Read(cache, id, remote, 0, 1);
    Read(cache, id, remote, 2 * kBlock, 1);
    EXPECT_EQ(remote.fetches.load(), before);
    Read(cache, id, remote, kBlock, 1);
    EXPECT_EQ(remote.fetches.load(), before + 1);
}

TEST_F(DataCacheTest, DiskTierSurvivesReopen) {
    FakeRemote remote(5 * kBlock);
    FileIdentity id{"s3://b/f", remote.size, "e"};
    {
        DataCache cache(1 << 20, 1 << 20, kBlock);
        cache.Open(dir_.string());
        Read(cache, id, remote, 0, 5 * kBlock);
        EXPECT_EQ(cache.usage().disk_blocks, 5u);
    }
    ASSERT_EQ(Entries().size(), 5u);
    DataCache cache(1 << 20, 1 << 20, kBlock);
    cache.Open(dir_.string());
    EXPECT_EQ(cache.usage().disk_blocks, 5u);
    DataCacheCounters scan;
    EXPECT_EQ(Read(cache, id, remote, 100, 4 * kBlock, &scan), remote.Expected(100, 4 * kBlock));
    EXPECT_EQ(remote.fetches.load(), 5);
    EXPECT_EQ(scan.hits.load(), 5u);
    EXPECT_EQ(scan.misses.load(), 0u);
}

TEST_F(DataCacheTest, CorruptEntriesAreDroppedNeverServed) {
    FakeRemote remote(3 * kBlock);
    FileIdentity id{"s3://b/f", remote.size, "e"};
    {
        DataCache cache(0, 1 << 20, kBlock);
        cache.Open(dir_.string());
        Read(cache, id, remote, 0, 3 * kBlock);
    }
    auto entries = Entries();
    ASSERT_EQ(entries.size(), 3u);
    // One entry's data flipped (same size: only the checksum tells), one truncated, plus junk files.
    for (size_t i = 0; i < 2; ++i) {
        std::fstream f(entries[i], std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-1, std::ios::end);
        f.put('\x5a' ^ static_cast<char>(i + 1));
    }
    fs::resize_file(entries[2], fs::file_size(entries[2]) - 7);
    std::ofstream(dir_ / "junk.blk") << "not an entry";
    std::ofstream(dir_ / "123-1.tmp") << "a crash's leftover";
    DataCache cache(0, 1 << 20, kBlock);
    cache.Open(dir_.string());
    EXPECT_EQ(cache.usage().disk_blocks, 2u);  // the truncated entry and the junk are gone at open
    EXPECT_FALSE(fs::exists(dir_ / "junk.blk"));
    EXPECT_FALSE(fs::exists(dir_ / "123-1.tmp"));
    int before = remote.fetches.load();
    DataCacheCounters scan;
    EXPECT_EQ(Read(cache, id, remote, 0, 3 * kBlock, &scan), remote.Expected(0, 3 * kBlock));
    EXPECT_EQ(remote.fetches.load(), before + 3 - static_cast<int>(scan.hits.load()));
    EXPECT_EQ(Read(cache, id, remote, 0, 3 * kBlock), remote.Expected(0, 3 * kBlock));
}

TEST_F(DataCacheTest, DiskLimitEvictsOldest) {
    FakeRemote remote(20 * kBlock);
    FileIdentity id{"s3://b/f", remote.size, "e"};
    DataCache cache(0, 4 * (kBlock + 200), kBlock);
    cache.Open(dir_.string());
    for (uint64_t b = 0; b < 10; ++b) Read(cache, id, remote, b * kBlock, 1);
    EXPECT_EQ(cache.usage().disk_blocks, 4u);
    EXPECT_LE(cache.usage().disk_used, 4 * (kBlock + 200));
    EXPECT_EQ(Entries().size(), 4u);
    int before = remote.fetches.load();
    Read(cache, id, remote, 9 * kBlock, 1);
    EXPECT_EQ(remote.fetches.load(), before);
    Read(cache, id, remote, 0, 1);
    EXPECT_EQ(remote.fetches.load(), before + 1);
    cache.SetLimits(0, kBlock + 200);
    EXPECT_EQ(cache.usage().disk_blocks, 1u);
    cache.Clear();
    EXPECT_EQ(Entries().size(), 0u);
}

TEST_F(DataCacheTest, RemoteErrorsPropagateAndCacheNothing) {
    DataCache cache(1 << 20, 0, kBlock);
    FakeRemote remote(4 * kBlock);
    FileIdentity id{"s3://b/f", 8 * kBlock, "e"};  // says longer than the remote really is
    std::string out(8 * kBlock, '\0');
    EXPECT_THROW(cache.Read(id, 0, out.size(), out.data(), remote.Reader()), IOError);
    EXPECT_EQ(cache.usage().mem_blocks, 4u);  // the blocks that did arrive
}

}  // namespace
}  // namespace floe
