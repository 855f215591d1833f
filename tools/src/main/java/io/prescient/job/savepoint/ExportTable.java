package io.prescient.job.savepoint;

import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * One exported table, written twice with the same rows: as CSV (RFC 4180, header row, empty cell =
 * missing) and as Parquet (one typed optional column per CSV column, timestamps as UTC millis;
 * uncompressed, because parquet-java's codecs need Hadoop), so that any tool reads it. Cells arrive
 * as text (the State Processor API job collects {@link ExportRow}s) and are typed once here, by the
 * column's declared type; a cell that does not parse as its type is a bug in the exporter and fails
 * the export rather than writing a wrong file.
 */
public final class ExportTable {

  /** A column's type; {@code TIMESTAMP} cells are ISO-8601 instants. */
  public enum Type {
    STRING,
    TIMESTAMP,
    LONG,
    DOUBLE,
    FLOAT,
    BOOLEAN
  }

  /** A column: its name (CSV header and Parquet field) and type. */
  public record Column(String name, Type type) {}

  private final String name;
  private final List<Column> columns;
  private final List<String[]> rows = new ArrayList<>();

  public ExportTable(String name, List<Column> columns) {
    this.name = name;
    this.columns = List.copyOf(columns);
  }

  public String name() {
    return name;
  }

  public List<Column> columns() {
    return columns;
  }

  public int size() {
    return rows.size();
  }

  /** Adds a row of cells, one per column, {@code null} for missing. */
  public void add(String[] cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException(
          name + ": a row has " + cells.length + " cells for " + columns.size() + " columns");
    }
    rows.add(cells);
  }

  /** Writes {@code <name>.csv} and {@code <name>.parquet} into {@code dir}, rows sorted. */
  public void write(Path dir) throws IOException {
    rows.sort(ROW_ORDER);
    Files.createDirectories(dir);
    writeCsv(dir.resolve(name + ".csv"));
    writeParquet(dir.resolve(name + ".parquet"));
  }

  private static final Comparator<String[]> ROW_ORDER =
      (a, b) -> Arrays.compare(a, b, Comparator.nullsFirst(Comparator.<String>naturalOrder()));

  /**
   * Writes the CSV file: the header, then each row with its STRING cells always quoted (so an empty
   * string, {@code ""}, differs from a missing cell, which stays empty) and its other cells as they
   * are (numbers, ISO-8601 instants and booleans need no quotes).
   */
  void writeCsv(Path file) throws IOException {
    CsvSchema.Builder schema = CsvSchema.builder().setLineSeparator("\n");
    columns.forEach(c -> schema.addColumn(c.name()));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CsvGenerator g = CSV.createGenerator(w)) {
      g.setSchema(schema.build());
      // The header: names quoted only where they must be.
      g.writeStartObject();
      for (Column c : columns) {
        g.writeStringField(c.name(), c.name());
      }
      g.writeEndObject();
      g.enable(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS);
      g.enable(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS);
      for (String[] row : rows) {
        g.writeStartObject();
        for (int i = 0; i < row.length; i++) {
          g.writeFieldName(columns.get(i).name());
          if (row[i] == null) {
            g.writeNull();
          } else if (columns.get(i).type() == Type.STRING) {
            g.writeString(row[i]);
          } else {
            g.writeRawValue(row[i]);
          }
        }
        g.writeEndObject();
      }
    }
  }

  private static final CsvFactory CSV =
      CsvFactory.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

  /** The Parquet schema: every column optional, so that a missing cell is a null. */
  public MessageType parquetSchema() {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (Column c : columns) {
      switch (c.type()) {
        case STRING ->
            b.optional(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named(c.name());
        case TIMESTAMP ->
            b.optional(PrimitiveTypeName.INT64)
                .as(
                    LogicalTypeAnnotation.timestampType(
                        true, LogicalTypeAnnotation.TimeUnit.MILLIS))
                .named(c.name());
        case LONG -> b.optional(PrimitiveTypeName.INT64).named(c.name());
        case DOUBLE -> b.optional(PrimitiveTypeName.DOUBLE).named(c.name());
        case FLOAT -> b.optional(PrimitiveTypeName.FLOAT).named(c.name());
        case BOOLEAN -> b.optional(PrimitiveTypeName.BOOLEAN).named(c.name());
      }
    }
    return b.named(name);
  }

  void writeParquet(Path file) throws IOException {
    MessageType schema = parquetSchema();
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    // Plain configuration and a local file: no Hadoop classes are needed to write.
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(schema)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .build()) {
      for (String[] row : rows) {
        Group g = groups.newGroup();
        for (int i = 0; i < row.length; i++) {
          String v = row[i];
          if (v == null) {
            continue;
          }
          String field = columns.get(i).name();
          switch (columns.get(i).type()) {
            case STRING -> g.append(field, v);
            case TIMESTAMP -> g.append(field, Instant.parse(v).toEpochMilli());
            case LONG -> g.append(field, Long.parseLong(v));
            case DOUBLE -> g.append(field, Double.parseDouble(v));
            case FLOAT -> g.append(field, Float.parseFloat(v));
            case BOOLEAN -> g.append(field, bool(v));
          }
        }
        w.write(g);
      }
    }
  }

  private static boolean bool(String v) {
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("not a boolean: " + v);
    }
    return v.equals("true");
  }

  /**
   * A row as the State Processor API job collects it (a Flink POJO: no generic types): the table it
   * belongs to and its cells as text.
   */
  public static class ExportRow {
    public String table;
    public String[] cells;

    public ExportRow() {}

    public ExportRow(String table, String[] cells) {
      this.table = table;
      this.cells = cells;
    }
  }
}
