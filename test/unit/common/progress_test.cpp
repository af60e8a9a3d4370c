#include "common/progress.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace floe {
namespace {

TEST(ProgressTest, NothingStartedIsNoFraction) {
    Progress p;
    EXPECT_LT(p.Fraction(), 0);
    EXPECT_EQ(p.Describe(), "");
}

TEST(ProgressTest, PipelinesAndMorsels) {
    Progress p;
    p.AddPipelines(2);
    p.PipelineStarted(4);
    p.MorselDone();
    EXPECT_DOUBLE_EQ(p.Fraction(), 0.125);  // a quarter of the first of two pipelines
    p.AddRowsRead(1'500'000);
    EXPECT_EQ(p.Describe(), "12% · pipeline 1/2 · 1.5M rows read");
    p.MorselDone();
    p.MorselDone();
    p.MorselDone();
    p.PipelineDone();
    EXPECT_DOUBLE_EQ(p.Fraction(), 0.5);
    p.PipelineStarted(0);  // not split: counts when done
    EXPECT_DOUBLE_EQ(p.Fraction(), 0.5);
    p.PipelineDone();
    EXPECT_DOUBLE_EQ(p.Fraction(), 1.0);
    p.SetPhase("committing");
    EXPECT_EQ(p.Describe(), "100% · pipeline 2/2 · 1.5M rows read · committing");
}

TEST(ProgressTest, StepsWinOverPipelines) {
    Progress p;
    p.AddPipelines(10);
    p.SetSteps(3, 4);
    EXPECT_DOUBLE_EQ(p.Fraction(), 0.75);
    EXPECT_EQ(p.Describe(), "75% · step 3/4");
}

TEST(ProgressTest, ScopesNestAndAJobWins) {
    Progress statement;
    EXPECT_EQ(CurrentProgress(), nullptr);
    {
        BackgroundJob job("COMPACTION", "db.t");
        EXPECT_EQ(CurrentProgress(), &job.progress());
        {
            // A statement the job runs reports into the job's progress.
            ScopedProgress scope(&statement);
            EXPECT_EQ(CurrentProgress(), &job.progress());
        }
        auto jobs = BackgroundJob::List();
        ASSERT_EQ(jobs.size(), 1u);
        EXPECT_EQ(jobs[0].kind, "COMPACTION");
        EXPECT_EQ(jobs[0].target, "db.t");
    }
    EXPECT_EQ(CurrentProgress(), nullptr);
    EXPECT_TRUE(BackgroundJob::List().empty());
    {
        ScopedProgress scope(&statement);
        EXPECT_EQ(CurrentProgress(), &statement);
    }
    EXPECT_EQ(CurrentProgress(), nullptr);
}

TEST(ProgressTest, ShortCounts) {
    EXPECT_EQ(ShortCount(812), "812");
    EXPECT_EQ(ShortCount(34'500), "34.5K");
    EXPECT_EQ(ShortCount(1'200'000), "1.2M");
    EXPECT_EQ(ShortCount(3'000'000'000ULL), "3.0G");
}

}  // namespace
}  // namespace floe
