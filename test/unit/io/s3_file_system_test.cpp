#include "io/s3_file_system.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/exception.h"

namespace floe {
namespace {

TEST(S3ClientTest, XmlOfAListing) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>"
        "<Contents><Key>a/x &amp; y.parquet</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents>"
        "<Contents><Key>a/&#233;&#x4E2D;</Key><Size>0</Size></Contents>"
        "<CommonPrefixes><Prefix>a/sub/</Prefix></CommonPrefixes>"
        "<NextContinuationToken>1/ab+c=</NextContinuationToken><Empty/></ListBucketResult>";
    auto contents = XmlElements(xml, "Contents");
    ASSERT_EQ(contents.size(), 2u);
    EXPECT_EQ(XmlElement(contents[0], "Key"), "a/x & y.parquet");
    EXPECT_EQ(XmlElement(contents[0], "ETag"), "\"abc\"");
    EXPECT_EQ(XmlElement(contents[1], "Key"), "a/\xC3\xA9\xE4\xB8\xAD");
    EXPECT_EQ(XmlElement(xml, "NextContinuationToken"), "1/ab+c=");
    EXPECT_EQ(XmlElement(xml, "Empty"), "");
    EXPECT_EQ(XmlElement(xml, "Missing"), std::nullopt);
    // <Prefix> inside <CommonPrefixes> is not confused with <Prefixes> or the like.
    EXPECT_EQ(XmlElements(xml, "Prefix").size(), 1u);
}

TEST(S3ClientTest, Locations) {
    S3Location l = S3Location::Parse("s3a://bucket/dir/file name.parquet");
    EXPECT_EQ(l.scheme, "s3a");
    EXPECT_EQ(l.bucket, "bucket");
    EXPECT_EQ(l.key, "dir/file name.parquet");
    EXPECT_EQ(l.Url(), "s3a://bucket/dir/file name.parquet");
    EXPECT_EQ(S3Location::Parse("s3://bucket").key, "");
    EXPECT_THROW(S3Location::Parse("s3:///key"), IOError);
    EXPECT_TRUE(IsS3Path("s3://b/k"));
    EXPECT_TRUE(IsS3Path("s3a://b/k"));
    EXPECT_FALSE(IsS3Path("/tmp/s3://x"));
}

TEST(S3ClientTest, ConfigFromStarRocksAndIcebergProperties) {
    S3Config c = S3Config::FromProperties({{"AWS.S3.Endpoint", "http://127.0.0.1:9000"},
                                           {"aws.s3.access_key", "AK"},
                                           {"aws.s3.secret_key", "SK"},
                                           {"aws.s3.session_token", "T"},
                                           {"aws.s3.region", "eu-west-1"},
                                           {"aws.s3.enable_ssl", "false"},
                                           {"aws.s3.request_timeout_ms", "1500"}});
    EXPECT_EQ(c.endpoint, "http://127.0.0.1:9000");
    EXPECT_EQ(c.access_key, "AK");
    EXPECT_EQ(c.secret_key, "SK");
    EXPECT_EQ(c.session_token, "T");
    EXPECT_EQ(c.region, "eu-west-1");
    EXPECT_FALSE(c.ssl);
    EXPECT_EQ(c.request_timeout_ms, 1500);
    EXPECT_FALSE(c.path_style);  // not named; the client still addresses an IP endpoint path-style

    S3Config iceberg = S3Config::FromProperties({{"s3.endpoint", "https://minio.local:9000"},
                                                 {"s3.access-key-id", "a"},
                                                 {"s3.secret-access-key", "b"},
                                                 {"client.region", "us-west-2"}});
    EXPECT_EQ(iceberg.region, "us-west-2");
    EXPECT_FALSE(iceberg.path_style);
    EXPECT_TRUE(S3Config::FromProperties({{"s3.path-style-access", "true"}}).path_style);

    EXPECT_THROW(S3Config::FromProperties({{"aws.s3.enable_ssl", "maybe"}}), BinderError);
    EXPECT_THROW(S3Config::FromProperties({{"aws.s3.max_attempts", "0"}}), BinderError);
    EXPECT_THROW(S3Config::FromProperties({{"aws.s3.access_key", "only"}}), BinderError);
    EXPECT_TRUE(S3Config::IsProperty("AWS.S3.SECRET_KEY"));
    EXPECT_FALSE(S3Config::IsProperty("aws.s3.unknown"));
    EXPECT_TRUE(S3Config::HasAny({{"format", "parquet"}, {"aws.s3.region", "x"}}));
    EXPECT_FALSE(S3Config::HasAny({{"format", "parquet"}}));
}

TEST(S3ClientTest, RegistryPicksTheLongestPrefix) {
    S3Config a;
    a.endpoint = "a";
    S3Config b;
    b.endpoint = "b";
    RegisterS3Config("s3://regbucket/", a);
    RegisterS3Config("regbucket/warehouse/db", b);
    EXPECT_EQ(RegisteredS3Config("regbucket", "x.parquet")->endpoint, "a");
    EXPECT_EQ(RegisteredS3Config("regbucket", "warehouse/db/t/x.parquet")->endpoint, "b");
    EXPECT_EQ(RegisteredS3Config("regbucket", "warehouse/dbx/t")->endpoint, "a");
    EXPECT_FALSE(RegisteredS3Config("regbucket2", "x").has_value());
}

TEST(S3ClientTest, UnreachableEndpointFailsWithinTheRetryBudget) {
    S3Config c;
    c.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    c.max_attempts = 3;
    auto start = std::chrono::steady_clock::now();
    S3FileSystem fs(c);
    try {
        fs.Open("s3://bucket/key.parquet");
        FAIL() << "expected an IOError";
    } catch (const IOError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("s3://bucket/key.parquet"), std::string::npos) << m;
        EXPECT_NE(m.find("cannot reach http://127.0.0.1:1"), std::string::npos) << m;
        EXPECT_NE(m.find("after 3 attempts"), std::string::npos) << m;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(S3ClientTest, SecretKeyNeverInMessages) {
    S3Config c;
    c.endpoint = "http://127.0.0.1:1";
    c.access_key = "AKID";
    c.secret_key = "TOP-SECRET-KEY";
    c.max_attempts = 1;
    try {
        S3FileSystem(c).List("s3://bucket/prefix/*.parquet");
        FAIL() << "expected an IOError";
    } catch (const IOError& e) {
        EXPECT_EQ(std::string(e.what()).find("TOP-SECRET"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("s3://bucket/prefix/"), std::string::npos) << e.what();
    }
}

TEST(S3ClientTest, FileSystemForS3Paths) {
    EXPECT_NE(dynamic_cast<S3FileSystem*>(&FileSystemFor("s3://b/k")), nullptr);
    EXPECT_NE(dynamic_cast<S3FileSystem*>(&FileSystemFor("s3a://b/k")), nullptr);
    EXPECT_EQ(dynamic_cast<S3FileSystem*>(&FileSystemFor("/tmp/x")), nullptr);
    EXPECT_THROW(FileSystemFor("gs://b/k"), NotSupportedError);
}

}  // namespace
}  // namespace floe
