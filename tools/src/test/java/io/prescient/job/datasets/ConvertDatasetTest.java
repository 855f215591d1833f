package io.prescient.job.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.RecordParser;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Converters on small real slices of the shared datasets (tools/src/test/resources/datasets). */
class ConvertDatasetTest {
  @TempDir Path dir;

  private static Path slice(String name) throws URISyntaxException {
    return Path.of(ConvertDatasetTest.class.getResource("/datasets/" + name).toURI());
  }

  private List<String> convert(String dataset, String file, ConversionStats[] stats)
      throws Exception {
    Path out = dir.resolve(dataset + ".jsonl");
    stats[0] = ConvertDataset.convert(DatasetConverter.named(dataset), slice(file), out, 0);
    return Files.readAllLines(out);
  }

  @Test
  void onlineRetailLinesBecomePurchasesAndCancellationsRefunds() throws Exception {
    ConversionStats[] stats = new ConversionStats[1];
    List<String> lines = convert("online-retail", "online-retail-slice.csv", stats);
    assertThat(lines.get(0))
        .isEqualTo(
            "{\"event_id\":\"or-536365-1\",\"user_id\":\"or-17850\",\"type\":\"purchase\","
                + "\"timestamp\":\"2010-12-01T08:26:00Z\",\"product_id\":\"85123A\","
                + "\"category\":\"candles_lighting\",\"price\":2.55,\"quantity\":6,"
                + "\"channel\":\"web\"}");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"event_id\":\"or-C536383-1\"")
                    .contains("\"type\":\"refund\"")
                    .contains("\"quantity\":1"));
    // The quoted description with a comma is one field.
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"product_id\":\"82567\""));
    Map<String, Long> skipped = stats[0].skippedByReason();
    assertThat(skipped)
        .containsEntry("no_customer_id", 1L)
        .containsEntry("non_product_code", 2L) // POST and the D discount line
        .containsEntry("unreadable_value", 1L)
        .containsEntry("wrong_column_count", 1L);
    assertThat(stats[0].rowsRead()).isEqualTo(46);
    assertThat(stats[0].eventsWritten()).isEqualTo(lines.size()).isEqualTo(46 - 5);
  }

  /**
   * A quoted description may hold a comma, a doubled quote and a line break; a row with broken
   * quoting is skipped and the next one read; the examples name each bad row's first line.
   */
  @Test
  void quotedFieldsSpanLinesAndBrokenQuotingSkipsOneRow() throws Exception {
    Path csv =
        Files.writeString(
            dir.resolve("quoted.csv"),
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                + "536365,85123A,\"HEART, \"\"T-LIGHT\"\"\nHOLDER\",6,2010-12-01 08:26:00,2.55,"
                + "17850.0,United Kingdom\n"
                + "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n"
                + "536367,84879,\"BIRD \"ORNAMENT,32,2010-12-01 08:34:00,1.69,13047.0,EIRE\n"
                + "536368,22960,JAM JAR,x,2010-12-01 08:34:00,4.25,13047.0,United Kingdom\n");
    Path out = dir.resolve("quoted.jsonl");
    ConversionStats stats =
        ConvertDataset.convert(DatasetConverter.named("online-retail"), csv, out, 0);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .contains("\"event_id\":\"or-536365-1\"")
        .contains("\"category\":\"candles_lighting\"");
    assertThat(lines.get(1)).contains("\"event_id\":\"or-536366-1\"");
    assertThat(stats.rowsRead()).isEqualTo(4);
    assertThat(stats.skippedByReason())
        .containsExactly(Map.entry("unreadable_csv", 1L), Map.entry("unreadable_value", 1L));
    assertThat(stats.badRowExamples)
        .containsExactly(
            "line 5 (unreadable_csv): Unexpected character ('O' (code 79)): Expected column"
                + " separator character (',' (code 44)) or end-of-line",
            "line 6 (unreadable_value): 536368,22960,JAM JAR,x,2010-12-01 08:34:00,4.25,13047.0,"
                + "United Kingdom");
  }

  @Test
  void categoriesComeFromTheKeywordTable() {
    assertThat(OnlineRetailConverter.categoryOf("WHITE HANGING HEART T-LIGHT HOLDER"))
        .isEqualTo("candles_lighting");
    assertThat(OnlineRetailConverter.categoryOf("JUMBO BAG RED RETROSPOT")).isEqualTo("bags");
    assertThat(OnlineRetailConverter.categoryOf("PACK OF 12 PINK PAISLEY TISSUES"))
        .isEqualTo("health_beauty");
    assertThat(OnlineRetailConverter.categoryOf("WOODEN STAR CHRISTMAS SCANDINAVIAN"))
        .isEqualTo("christmas");
    assertThat(OnlineRetailConverter.categoryOf("INFLATABLE POLITICAL GLOBE")).isEqualTo("other");
  }

  @Test
  void theDocumentedKeywordTableIsTheOneInTheCode() throws Exception {
    assertThat(Files.readString(Path.of("..", "docs", "datasets.md")))
        .contains(OnlineRetailConverter.keywordTableMarkdown());
  }

  @Test
  void taobaoSkipsFavouritesAndSortsAllUsersByTime() throws Exception {
    ConversionStats[] stats = new ConversionStats[1];
    List<String> lines = convert("taobao", "taobao-slice.csv", stats);
    assertThat(stats[0].skippedByReason()).containsEntry("behavior_fav_has_no_event_type", 11L);
    assertThat(stats[0].writtenByType())
        .containsEntry("view", 15L)
        .containsEntry("add_to_cart", 9L)
        .containsEntry("purchase", 5L);
    assertThat(stats[0].users()).isEqualTo(3);
    List<String> timestamps =
        lines.stream().map(l -> l.replaceAll(".*\"timestamp\":\"([^\"]+)\".*", "$1")).toList();
    assertThat(timestamps).isSorted();
    assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"channel\":\"app\""));
  }

  @Test
  void rees46KeepsPricesAboveZeroAndNamesCategories() throws Exception {
    ConversionStats[] stats = new ConversionStats[1];
    List<String> lines = convert("rees46", "rees46-slice.csv", stats);
    assertThat(lines.get(0))
        .isEqualTo(
            "{\"event_id\":\"r46-1\",\"user_id\":\"r46-541312140\",\"type\":\"view\","
                + "\"timestamp\":\"2019-10-01T00:00:00Z\",\"product_id\":\"r46-44600062\","
                + "\"category\":\"r46-cat-2103807459595387724\",\"price\":35.79,"
                + "\"channel\":\"web\"}");
    assertThat(lines.get(lines.size() - 1)).doesNotContain("\"price\"");
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("appliances.environment.water_heater"));
  }

  @Test
  void everyConvertedLineIsAValidEventWithAUniqueId() throws Exception {
    RecordParser parser = new RecordParser(JsonLimits.defaults());
    for (String[] d :
        new String[][] {
          {"online-retail", "online-retail-slice.csv"},
          {"taobao", "taobao-slice.csv"},
          {"rees46", "rees46-slice.csv"}
        }) {
      List<String> lines = convert(d[0], d[1], new ConversionStats[1]);
      HashSet<String> ids = new HashSet<>();
      for (String l : lines) {
        ids.add(parser.parseEvent(l.getBytes(), System.currentTimeMillis()).eventId);
      }
      assertThat(ids).hasSize(lines.size());
      assertThat(convert(d[0], d[1], new ConversionStats[1])).isEqualTo(lines); // deterministic
    }
  }

  @Test
  void badArgumentsAreOneLineErrors() throws Exception {
    String in = slice("taobao-slice.csv").toString();
    String out = dir.resolve("t.jsonl").toString();
    assertThatThrownBy(
            () ->
                ConvertDataset.run(
                    new String[] {"--dataset", "tabao", "--input", in, "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient convert: unknown dataset 'tabao' (online-retail, taobao, rees46)");
    assertThatThrownBy(
            () ->
                ConvertDataset.run(
                    new String[] {
                      "--dataset", "taobao", "--input", in, "--output", out, "--limit", "ten"
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient convert: --limit needs a whole number, not 'ten'");
    assertThatThrownBy(
            () ->
                ConvertDataset.run(
                    new String[] {"--dataset", "taobao", "--inptu", in, "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient convert: unknown argument --inptu (did you mean --input?)");
    assertThatThrownBy(
            () ->
                ConvertDataset.run(
                    new String[] {"--dataset", "taobao", "--input", in + ".none", "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient convert: --input " + in + ".none is not a file");
    ConvertDataset.run(
        new String[] {"--dataset", "taobao", "--input", in, "--output", out, "--limit", "10"});
    assertThat(Files.readAllLines(Path.of(out))).hasSizeLessThanOrEqualTo(10).isNotEmpty();
  }
}
