package io.prescient.job.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.datasets.CsvRows;
import io.prescient.job.savepoint.ExportTable.Column;
import io.prescient.job.savepoint.ExportTable.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTableTest {
  static final List<Column> COLUMNS =
      List.of(
          new Column("user_id", Type.STRING),
          new Column("last_seen", Type.TIMESTAMP),
          new Column("events", Type.LONG),
          new Column("revenue", Type.DOUBLE),
          new Column("recency_days", Type.FLOAT),
          new Column("opted_out", Type.BOOLEAN));

  @Test
  void csvAndParquetHoldTheSameRowsTypedWithMissingCellsAsNulls(@TempDir Path dir)
      throws Exception {
    ExportTable t = new ExportTable("profiles", COLUMNS);
    t.add(new String[] {"u-2", "2011-12-09T12:50:00Z", "42", "1234.5", null, "true"});
    t.add(new String[] {"u-1 \"quoted\", comma", null, "0", "0.0", "3.25", "false"});
    t.write(dir);

    assertThat(Files.readAllLines(dir.resolve("profiles.csv")))
        .containsExactly(
            "user_id,last_seen,events,revenue,recency_days,opted_out",
            "\"u-1 \"\"quoted\"\", comma\",,0,0.0,3.25,false",
            "\"u-2\",2011-12-09T12:50:00Z,42,1234.5,,true");

    List<Group> rows = readParquet(dir.resolve("profiles.parquet"));
    assertThat(rows).hasSize(2);
    Group first = rows.get(0);
    assertThat(first.getString("user_id", 0)).isEqualTo("u-1 \"quoted\", comma");
    assertThat(first.getFieldRepetitionCount("last_seen")).isZero(); // null
    assertThat(first.getLong("events", 0)).isZero();
    assertThat(first.getFloat("recency_days", 0)).isEqualTo(3.25f);
    assertThat(first.getBoolean("opted_out", 0)).isFalse();
    Group second = rows.get(1);
    assertThat(second.getLong("last_seen", 0)).isEqualTo(1323435000000L);
    assertThat(second.getLong("events", 0)).isEqualTo(42);
    assertThat(second.getDouble("revenue", 0)).isEqualTo(1234.5);
    assertThat(second.getFieldRepetitionCount("recency_days")).isZero();
    assertThat(second.getBoolean("opted_out", 0)).isTrue();

    MessageType schema = schema(dir.resolve("profiles.parquet"));
    assertThat(schema.getType("user_id").getLogicalTypeAnnotation())
        .isEqualTo(LogicalTypeAnnotation.stringType());
    assertThat(schema.getType("last_seen").getLogicalTypeAnnotation())
        .isEqualTo(
            LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
  }

  /**
   * Strings are always quoted, so an empty one ({@code ""}) differs from a missing cell; a quote, a
   * comma and a line break stay inside their cell, and the file reads back as it was written.
   */
  @Test
  void csvStringsAreAlwaysQuotedAndReadBackWithLineBreaksAndQuotes(@TempDir Path dir)
      throws Exception {
    ExportTable t = new ExportTable("profiles", COLUMNS);
    t.add(new String[] {"", null, "1", null, null, null});
    t.add(new String[] {"a \"b\",\nc\r\nd", "2011-12-09T12:50:00Z", "-2", "NaN", "1.0E10", "true"});
    t.add(new String[] {null, null, null, null, null, "false"});
    t.write(dir);

    Path csv = dir.resolve("profiles.csv");
    assertThat(Files.readString(csv))
        .isEqualTo(
            "user_id,last_seen,events,revenue,recency_days,opted_out\n"
                + ",,,,,false\n"
                + "\"\",,1,,,\n"
                + "\"a \"\"b\"\",\nc\r\nd\",2011-12-09T12:50:00Z,-2,NaN,1.0E10,true\n");
    List<List<String>> read = new ArrayList<>();
    try (CsvRows rows = new CsvRows(Files.newBufferedReader(csv))) {
      while (rows.next()) {
        assertThat(rows.problem()).isNull();
        read.add(List.copyOf(rows.fields()));
      }
    }
    assertThat(read)
        .containsExactly(
            COLUMNS.stream().map(Column::name).toList(),
            List.of("", "", "", "", "", "false"),
            List.of("", "", "1", "", "", ""),
            List.of("a \"b\",\nc\r\nd", "2011-12-09T12:50:00Z", "-2", "NaN", "1.0E10", "true"));
  }

  @Test
  void aCellThatIsNotItsColumnsTypeFailsTheExportInsteadOfWritingAWrongFile(@TempDir Path dir) {
    ExportTable t = new ExportTable("profiles", COLUMNS);
    t.add(new String[] {"u-1", null, "many", null, null, null});
    assertThatThrownBy(() -> t.write(dir)).isInstanceOf(NumberFormatException.class);
    ExportTable bool = new ExportTable("profiles", COLUMNS);
    bool.add(new String[] {"u-1", null, null, null, null, "yes"});
    assertThatThrownBy(() -> bool.write(dir)).hasMessageContaining("not a boolean: yes");
    assertThatThrownBy(() -> t.add(new String[] {"u-1"}))
        .hasMessageContaining("1 cells for 6 columns");
  }

  @Test
  void anEmptyTableStillWritesAHeaderAndAReadableParquetFile(@TempDir Path dir) throws Exception {
    new ExportTable("held_decisions", COLUMNS).write(dir);
    assertThat(Files.readAllLines(dir.resolve("held_decisions.csv"))).hasSize(1);
    assertThat(readParquet(dir.resolve("held_decisions.parquet"))).isEmpty();
    assertThat(schema(dir.resolve("held_decisions.parquet")).getFieldCount()).isEqualTo(6);
  }

  static MessageType schema(Path file) throws Exception {
    try (ParquetFileReader r = open(file)) {
      return r.getFooter().getFileMetaData().getSchema();
    }
  }

  /** Every row of a Parquet file, read with parquet-java's own reader (not the exporter's code). */
  static List<Group> readParquet(Path file) throws Exception {
    List<Group> rows = new ArrayList<>();
    try (ParquetFileReader r = open(file)) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      PageReadStore pages;
      while ((pages = r.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          rows.add(records.read());
        }
      }
    }
    return rows;
  }

  private static ParquetFileReader open(Path file) throws Exception {
    return ParquetFileReader.open(
        new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
  }
}
