package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.TransferSet.RowProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvSetsTest {
  private static final String OFFICIAL_HEAD =
      "1,\"(S1, S3, 45)\",\"[S1, S2, S3, S4, S5]\"\r\n"
          + ",\"(S3, S5, 55)\",\r\n"
          + "2,\"(S5, S3, 5)\",\"[S1, S2, S3, S5]\"\r\n"
          + ",\"(S3, S1, 55)\",\r\n";

  private static List<String> transfers(TransferSet s) {
    return s.transfers().stream().map(Transfer::toString).toList();
  }

  private static void assertOfficialHead(CsvSets.Parsed p) {
    assertThat(p.allProblems()).isEmpty();
    assertThat(p.sets()).hasSize(2);
    assertThat(p.sets().get(0).number()).isEqualTo(1);
    assertThat(p.sets().get(0).live()).containsExactly(1, 2, 3, 4, 5);
    assertThat(transfers(p.sets().get(0))).containsExactly("(S1, S3, 45)", "(S3, S5, 55)");
    assertThat(p.sets().get(1).live()).containsExactly(1, 2, 3, 5);
    assertThat(transfers(p.sets().get(1))).containsExactly("(S5, S3, 5)", "(S3, S1, 55)");
  }

  @Test
  void officialFormatParses() {
    assertOfficialHead(CsvSets.parse(OFFICIAL_HEAD, 0));
  }

  @Test
  void officialFileHasEightSetsAndThirtyThreeTransfers() throws Exception {
    List<TransferSet> sets = OfficialFileTest.officialSets();
    assertThat(sets.stream().mapToInt(s -> s.transfers().size()).sum()).isEqualTo(33);
    assertThat(sets.get(3).live()).containsExactly(4, 5);
  }

  @Test
  void transferIdsFollowFileOrderFromTheBase() {
    CsvSets.Parsed p = CsvSets.parse(OFFICIAL_HEAD, 1000);
    assertThat(p.sets().get(1).transfers().get(1).id()).isEqualTo(1004);
  }

  @Test
  void setNumberAndLiveListRepeatedOnEveryRow() {
    String csv = "1,\"(S1, S3, 45)\",\"[S1, S2, S3, S4, S5]\"\n"
        + "1,\"(S3, S5, 55)\",\"[S1, S2, S3, S4, S5]\"\n"
        + "2,\"(S5, S3, 5)\",\"[S1, S2, S3, S5]\"\n"
        + "2,\"(S3, S1, 55)\",\"[S1,S2,S3,S5]\"\n";
    assertOfficialHead(CsvSets.parse(csv, 0));
  }

  @Test
  void headerRowIsSkipped() {
    assertOfficialHead(CsvSets.parse("Set Number,Transactions,Live Servers\r\n" + OFFICIAL_HEAD, 0));
  }

  @Test
  void severalTransfersInOneMultiLineCell() {
    String csv = "Set Number,Transactions,Live Servers\n"
        + "1,\"(S1, S3, 45)\n(S3, S5, 55)\",\"[S1, S2, S3, S4, S5]\"\n"
        + "2,\"(S5, S3, 5)\r\n(S3, S1, 55)\r\n\",\"[S1, S2, S3, S5]\"\n";
    assertOfficialHead(CsvSets.parse(csv, 0));
  }

  @Test
  void spacesAreOptional() {
    String csv = " 1 , \"(S1,S3,45)\" , \"[S1,S2,S3,S4,S5]\"\n"
        + ",\"( S3 ,S5 , 55 )\",\n"
        + "2,\"(S5,S3,5)\",\"[ S1 , S2 , S3 , S5 ]\"\n"
        + ",\"(S3,S1,55)\",\n";
    assertOfficialHead(CsvSets.parse(csv, 0));
  }

  @Test
  void byteOrderMarkIsIgnored() {
    assertOfficialHead(CsvSets.parse("\uFEFF" + OFFICIAL_HEAD, 0));
  }

  @Test
  void badRowsAreReportedWithLineAndReasonAndTheRestRuns() {
    String csv = "1,\"(S1, S3, 45)\",\"[S1, S2, S3, S4, S5]\"\r\n" // 1
        + ",\"(S1, S9, 5)\",\r\n" // 2 unknown server
        + ",\"(S1, S2, 0)\",\r\n" // 3 amount <= 0
        + ",\"(S1, S2, ten)\",\r\n" // 4 non-numeric
        + ",\"(S2, S2, 5)\",\r\n" // 5 self-transfer
        + ",\"S1, S2, 5\",\r\n" // 6 not a transfer
        + ",\"(S1, S2)\",\r\n" // 7 two fields
        + ",\"(S1, S2, 5)\",,extra\r\n" // 8 extra column
        + ",\"(S1, S2, 4.5)\",\r\n" // 9 not whole
        + ",\"(S1, S2, -3)\",\r\n" // 10 negative
        + "\r\n" // 11 blank, skipped
        + ",\"(S2, S1, 7)\",\r\n"; // 12 fine
    CsvSets.Parsed p = CsvSets.parse(csv, 0);
    assertThat(transfers(p.sets().get(0))).containsExactly("(S1, S3, 45)", "(S2, S1, 7)");
    List<RowProblem> problems = p.allProblems();
    assertThat(problems).extracting(RowProblem::line)
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(problems.get(0).reason()).contains("unknown server 'S9'");
    assertThat(problems.get(1).reason()).contains("amount must be positive");
    assertThat(problems.get(2).reason()).contains("'ten' is not a whole number");
    assertThat(problems.get(3).reason()).contains("self-transfer");
    assertThat(problems.get(4).reason()).contains("is not a transfer");
    assertThat(problems.get(5).reason()).contains("expected (sender, receiver, amount)");
    assertThat(problems.get(6).reason()).contains("extra column");
    assertThat(problems.get(7).reason()).contains("'4.5' is not a whole number");
  }

  @Test
  void aTooLargeAmountIsReportedAsTooLargeNotAsNotAWholeNumber() {
    String csv = "1,\"(S1, S2, 5)\",\"[S1, S2, S3]\"\n"
        + ",\"(S1, S3, 99999999999999999999)\",\n"
        + ",\"(S1, S2, 2000000000)\",\n";
    List<RowProblem> problems = CsvSets.parse(csv, 0).allProblems();
    assertThat(problems).extracting(RowProblem::line).containsExactly(2L, 3L);
    assertThat(problems.get(0).reason()).contains("'99999999999999999999' is too large")
        .contains("at most 1,000,000,000").doesNotContain("whole number");
    assertThat(problems.get(1).reason()).contains("2000000000 is too large");
  }

  @Test
  void aSetWhoseFirstRowIsUnusableRunsNothingAndTheNextSetStillRuns() {
    String csv = "1,\"(S1, S3, 45)\",\"[S1, S7]\"\n" // 1 bad live list
        + ",\"(S3, S5, 55)\",\n" // 2 belongs to the broken set
        + "x,\"(S3, S5, 55)\",\"[S1]\"\n" // 3 bad set number
        + "2,\"(S5, S3, 5)\",\"[S1, S2, S3, S5]\"\n"; // 4 fine
    CsvSets.Parsed p = CsvSets.parse(csv, 0);
    assertThat(p.sets()).hasSize(1);
    assertThat(p.sets().get(0).number()).isEqualTo(2);
    assertThat(p.allProblems()).extracting(RowProblem::line).containsExactly(1L, 2L, 3L);
    assertThat(p.allProblems().get(0).reason()).contains("live list").contains("S7");
    assertThat(p.allProblems().get(1).reason()).contains("first row was rejected");
    assertThat(p.allProblems().get(2).reason()).contains("set number 'x'");
  }

  @Test
  void continuationBeforeAnySetAndRepeatedSetsAreRejected() {
    String csv = ",\"(S1, S3, 45)\",\n" // 1 no set yet
        + "1,\"(S1, S3, 45)\",\"[S1, S2, S3]\"\n" // 2
        + "1,\"(S1, S3, 5)\",\"[S1, S2]\"\n" // 3 live list differs
        + "2,\"(S1, S3, 5)\",\"[S1, S2]\"\n" // 4
        + "1,\"(S1, S3, 5)\",\"[S1, S2]\"\n"; // 5 set 1 again
    CsvSets.Parsed p = CsvSets.parse(csv, 0);
    assertThat(p.sets()).extracting(TransferSet::number).containsExactly(1, 2);
    assertThat(p.allProblems()).extracting(RowProblem::line).containsExactly(1L, 3L, 5L);
    assertThat(p.allProblems().get(1).reason()).contains("differs");
    assertThat(p.allProblems().get(2).reason()).contains("appeared earlier");
  }

  @Test
  void lineNumbersCountTheLinesOfMultiLineCells() {
    String csv = "1,\"(S1, S3, 45)\n(S3, S5, 55)\n(S3, S5, x)\",\"[S1, S2]\"\n" // lines 1-3
        + ",\"(S9, S1, 5)\",\n"; // line 4
    CsvSets.Parsed p = CsvSets.parse(csv, 0);
    assertThat(p.allProblems()).extracting(RowProblem::line).containsExactly(1L, 4L);
    assertThat(p.sets().get(0).transfers()).isEmpty(); // nothing from the bad cell runs
  }

  @Test
  void unclosedQuoteEndsTheParseButKeepsWhatCameBefore() {
    String csv = "1,\"(S1, S3, 45)\",\"[S1, S2]\"\n,\"(S1, S3, 5),\n,\"(S1, S3, 5)\",\n";
    CsvSets.Parsed p = CsvSets.parse(csv, 0);
    assertThat(transfers(p.sets().get(0))).containsExactly("(S1, S3, 45)");
    assertThat(p.allProblems()).hasSize(1);
    assertThat(p.allProblems().get(0).reason()).contains("CSV syntax error");
  }

  @Test
  void emptyInputHasNoSets() {
    assertThat(CsvSets.parse("", 0).sets()).isEmpty();
    assertThat(CsvSets.parse("\uFEFF\r\n\r\n", 0).allProblems()).isEmpty();
  }
}
