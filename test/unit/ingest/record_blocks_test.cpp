#include "ingest/record_blocks.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace floe {
namespace {

/// Hands out the body a few bytes at a time, like a socket.
class TrickleSource : public BodySource {
  public:
    TrickleSource(std::string data, size_t seed) : data_(std::move(data)), rng_(seed) {}
    size_t Read(char* out, size_t capacity) override {
        size_t n = std::min({capacity, data_.size() - pos_, size_t(1 + rng_() % 700)});
        std::copy_n(data_.data() + pos_, n, out);
        pos_ += n;
        return n;
    }

  private:
    std::string data_;
    size_t pos_ = 0;
    std::mt19937 rng_;
};

std::vector<std::string> Blocks(RecordBlocks& blocks) {
    std::vector<std::string> out;
    std::string_view b;
    while (blocks.Next(b)) out.emplace_back(b);
    return out;
}

std::string Csv(size_t rows, size_t seed, bool quoted) {
    std::mt19937 rng(seed);
    std::string s;
    for (size_t i = 0; i < rows; ++i) {
        s += std::to_string(i) + ",";
        if (quoted && rng() % 3 == 0) {
            s += "\"a\nb \"\"q\"\" " + std::string(rng() % 40, 'x') + "\"";
        } else {
            s += std::string(rng() % 60, 'y');
        }
        s += "\n";
    }
    return s;
}

TEST(RecordBlocksTest, BlocksEndAtRecordsAndCoverTheBody) {
    for (bool streamed : {false, true}) {
        for (size_t block : {1, 17, 256, 4096, 1 << 20}) {
            std::string body = Csv(2000, block, false);
            TrickleSource source(body, block);
            std::optional<RecordBlocks> blocks;
            if (streamed) {
                blocks.emplace(source, "\n", 0, 0, block);
            } else {
                blocks.emplace(std::string_view(body), "\n", 0, 0, block);
            }
            std::string joined;
            for (const auto& b : Blocks(*blocks)) {
                ASSERT_FALSE(b.empty());
                ASSERT_EQ(b.back(), '\n') << "block " << block;
                joined += b;
            }
            EXPECT_EQ(joined, body);
            EXPECT_EQ(blocks->bytes(), body.size());
            EXPECT_TRUE(blocks->at_end());
        }
    }
}

TEST(RecordBlocksTest, DelimitersInsideEnclosedFieldsDoNotEndARecord) {
    std::string body = Csv(3000, 7, true);
    for (size_t block : {64, 1000, 9000}) {
        TrickleSource source(body, block);
        RecordBlocks blocks(source, "\n", '"', 0, block);
        std::string joined;
        for (const auto& b : Blocks(blocks)) {
            // Every block holds whole records: its quotes balance.
            EXPECT_EQ(std::count(b.begin(), b.end(), '"') % 2, 0);
            joined += b;
        }
        EXPECT_EQ(joined, body);
    }
}

TEST(RecordBlocksTest, LastRecordWithoutDelimiterAndMultiByteDelimiter) {
    std::string body = "a||bb||ccc||dddd";
    TrickleSource source(body, 1);
    RecordBlocks blocks(source, "||", 0, 0, 5);
    auto got = Blocks(blocks);
    std::string joined;
    for (const auto& b : got) joined += b;
    EXPECT_EQ(joined, body);
    EXPECT_EQ(got.back().substr(got.back().size() - 4), "dddd");
    for (size_t i = 0; i + 1 < got.size(); ++i) EXPECT_EQ(got[i].substr(got[i].size() - 2), "||");
}

TEST(RecordBlocksTest, UnreadCarriesBytesIntoTheNextBlock) {
    for (bool streamed : {false, true}) {
        std::string body = "{\"a\":\n1}\n{\"a\":\n2}\n{\"a\":\n3}\n";
        TrickleSource source(body, 3);
        std::optional<RecordBlocks> blocks;
        if (streamed) {
            blocks.emplace(source, "\n", 0, 0, 10);
        } else {
            blocks.emplace(std::string_view(body), "\n", 0, 0, 10);
        }
        std::string_view b;
        std::string joined;
        while (blocks->Next(b)) {
            // Keep only what ends with "}\n" (a whole document); give the rest back.
            size_t end = std::string_view(b).rfind("}\n");
            size_t keep = end == std::string_view::npos ? 0 : end + 2;
            joined += std::string(b.substr(0, keep));
            blocks->Unread(b.size() - keep);
            if (blocks->at_end() && keep == b.size()) break;
        }
        EXPECT_EQ(joined, body) << streamed;
    }
}

TEST(RecordBlocksTest, ReadAllStopsPastTheLimit) {
    std::string body(5000, 'z');
    TrickleSource source(body, 5);
    RecordBlocks blocks(source, "\n", 0, 0, 100);
    std::string_view all;
    EXPECT_FALSE(blocks.ReadAll(all, 1000));
    EXPECT_EQ(all.size(), 1001u);
    TrickleSource again(body, 6);
    RecordBlocks whole(again, "\n", 0, 0, 100);
    EXPECT_TRUE(whole.ReadAll(all, SIZE_MAX));
    EXPECT_EQ(all, body);
}

}  // namespace
}  // namespace floe
