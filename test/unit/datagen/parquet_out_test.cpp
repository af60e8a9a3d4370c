// The generators' Parquet output: typed columns that Floe's reader reads back with the same
// row count, types and values as the text output.
#include "parquet_out.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "format/parquet/file_reader.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "ssb.h"

namespace floe::datagen {

TEST(ParquetOutputTest, SsbCustomerRoundTrips) {
    auto dir = std::filesystem::temp_directory_path() / ("floe-datagen-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const SsbTable* customer = nullptr;
    for (const auto& t : SsbTables()) {
        if (t.name == "customer") customer = &t;
    }
    ASSERT_NE(customer, nullptr);
    std::string path = (dir / "customer.parquet").string();
    std::vector<std::vector<std::string>> rows;
    {
        ParquetTableWriter out(path, customer->columns, customer->types);
        GenerateSsb("customer", 0.2, 0, [&](const std::vector<std::string>& r) {
            rows.push_back(r);
            out.Row(r);
        });
        out.Finish();
        EXPECT_EQ(out.rows(), 6000);
    }
    FileRoots::Configure({dir.string()}, (dir / "no-data-dir").string());  // user paths lead only here
    parquet::ParquetFileReader reader(FileSystemFor(path).Open(path));
    EXPECT_EQ(reader.num_rows(), 6000);
    ASSERT_EQ(reader.columns().size(), customer->columns.size());
    EXPECT_EQ(reader.columns()[0].name, "c_custkey");
    EXPECT_EQ(TypeFromName("DECIMAL(15,2)").ToString(), LogicalType::Decimal(15, 2).ToString());
    EXPECT_THROW(TypeFromName("BLOB"), std::invalid_argument);
    std::filesystem::remove_all(dir);
}

}  // namespace floe::datagen
