#include "exec/child_output.h"

#include <fcntl.h>
#include <signal.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "testing/fd_read.h"

namespace hubspoke::exec {
namespace {

std::vector<std::string> Collect(LinePrefixer& p, const std::vector<std::string>& chunks,
                                 std::vector<std::string>& emits) {
  for (const auto& c : chunks) p.Feed(c);
  p.Finish();
  return emits;
}

TEST(LinePrefixer, PrefixesEveryWholeLineAndCompletesTheLast) {
  std::vector<std::string> emits;
  LinePrefixer p("[111111111111] ", [&](std::string_view s) { emits.emplace_back(s); });
  Collect(p, {"one\ntw", "o\nthree"}, emits);
  ASSERT_EQ(emits.size(), 3u);
  EXPECT_EQ(emits[0], "[111111111111] one\n");
  EXPECT_EQ(emits[1], "[111111111111] two\n");
  EXPECT_EQ(emits[2], "[111111111111] three\n");
}

TEST(LinePrefixer, HandsSeveralLinesOnInOneCall) {
  std::vector<std::string> emits;
  LinePrefixer p("> ", [&](std::string_view s) { emits.emplace_back(s); });
  p.Feed("a\nb\nc\n");
  ASSERT_EQ(emits.size(), 1u);
  EXPECT_EQ(emits[0], "> a\n> b\n> c\n");
  p.Finish();
  EXPECT_EQ(emits.size(), 1u);  // nothing left over
}

TEST(LinePrefixer, ALineSplitAcrossManyReadsIsOneLine) {
  std::vector<std::string> emits;
  LinePrefixer p("> ", [&](std::string_view s) { emits.emplace_back(s); });
  const std::string line(300000, 'x');
  for (std::size_t i = 0; i < line.size(); i += 4096) p.Feed(line.substr(i, 4096));
  EXPECT_TRUE(emits.empty());
  p.Feed("\n");
  ASSERT_EQ(emits.size(), 1u);
  EXPECT_EQ(emits[0], "> " + line + "\n");
}

TEST(LinePrefixer, AnEndlessLineIsHandedOnInBoundedPieces) {
  std::vector<std::string> emits;
  LinePrefixer p("> ", [&](std::string_view s) { emits.emplace_back(s); }, 1000);
  p.Feed(std::string(2500, 'y'));
  ASSERT_EQ(emits.size(), 1u);
  EXPECT_EQ(emits[0], "> " + std::string(1000, 'y') + "\n> " + std::string(1000, 'y') + "\n");
  p.Finish();
  EXPECT_EQ(emits.back(), "> " + std::string(500, 'y') + "\n");
}

TEST(LinePrefixer, EmptyLinesArePrefixedToo) {
  std::vector<std::string> emits;
  LinePrefixer p("> ", [&](std::string_view s) { emits.emplace_back(s); });
  p.Feed("\n\n");
  ASSERT_EQ(emits.size(), 1u);
  EXPECT_EQ(emits[0], "> \n> \n");
}

TEST(Spool, KeepsInMemoryThenSpillsToAnUnnamedFile) {
  Spool spool(10);
  EXPECT_TRUE(spool.Append("12345"));
  EXPECT_TRUE(spool.Append("67890"));
  EXPECT_TRUE(spool.Append("abcdef"));  // past the limit: everything moves to the file
  std::string replayed;
  spool.Replay([&](std::string_view s) { replayed.append(s); });
  EXPECT_EQ(replayed, "1234567890abcdef");
  EXPECT_EQ(spool.lost(), 0u);
  std::string again;
  spool.Replay([&](std::string_view s) { again.append(s); });
  EXPECT_EQ(again, replayed);
}

TEST(OutputSink, WritesWholeAndDropsABrokenReaderQuietly) {
  int out[2], err[2];
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(err), 0);
  OutputSink sink(out[1], err[1], /*progress=*/false);
  sink.Write(OutputSink::kOut, "hello\n");
  sink.Write(OutputSink::kErr, "oops\n");
  sink.Progress("ignored without progress");
  close(out[1]);
  close(err[1]);
  EXPECT_EQ(testing::ReadAll(out[0]), "hello\n");
  EXPECT_EQ(testing::ReadAll(err[0]), "oops\n");
  close(out[0]);
  close(err[0]);

  // A reader that has gone: EPIPE (SIGPIPE ignored by the test runner's default? set it here).
  int gone[2];
  ASSERT_EQ(pipe(gone), 0);
  close(gone[0]);
  signal(SIGPIPE, SIG_IGN);
  OutputSink quiet(gone[1], gone[1], false);
  quiet.Write(OutputSink::kOut, "nobody reads this\n");
  quiet.Write(OutputSink::kOut, "nor this\n");
  close(gone[1]);
}

TEST(OutputSink, TheStatusLineIsClearedBeforeOutputAndRedrawnAfter) {
  int out[2], err[2];
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(err), 0);
  OutputSink sink(out[1], err[1], /*progress=*/true);
  sink.Progress("3/10 done");
  sink.Write(OutputSink::kErr, "[1] line\n");
  sink.EndProgress();
  close(out[1]);
  close(err[1]);
  EXPECT_EQ(testing::ReadAll(err[0]),
            "\r\033[K3/10 done\r\033[K[1] line\n3/10 done\r\033[K");
  close(out[0]);
  close(err[0]);
}

TEST(FormatSeconds, ShortAndReadable) {
  EXPECT_EQ(FormatSeconds(12.4), "12s");
  EXPECT_EQ(FormatSeconds(184), "3m04s");
  EXPECT_EQ(FormatSeconds(3720), "1h02m");
  EXPECT_EQ(FormatSeconds(-1), "?");
}

}  // namespace
}  // namespace hubspoke::exec
