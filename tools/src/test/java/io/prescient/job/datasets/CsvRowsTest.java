package io.prescient.job.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowsTest {
  /** Each row: its line, its fields and its first line as written (or its problem). */
  private static List<String> read(String csv) throws Exception {
    List<String> out = new ArrayList<>();
    try (CsvRows rows = new CsvRows(new StringReader(csv))) {
      while (rows.next()) {
        out.add(
            rows.line()
                + " "
                + rows.fields()
                + " "
                + (rows.problem() == null
                    ? "<" + rows.text() + ">"
                    : "problem: " + rows.problem()));
      }
    }
    return out;
  }

  @Test
  void aQuotedFieldHoldsCommasDoubledQuotesAndLineBreaks() throws Exception {
    assertThat(
            read(
                "a,b,c\n"
                    + "\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                    + "plain,,\"last\"\n"
                    + "\n"
                    + "no,line,break"))
        .containsExactly(
            "1 [a, b, c] <a,b,c>",
            "2 [x, y, say \"hi\", two\nlines] <\"x, y\",\"say \"\"hi\"\"\",\"two>",
            "4 [plain, , last] <plain,,\"last\">",
            "5 [] <>", // an empty line is a row of one empty field, as before
            "6 [no, line, break] <no,line,break>");
  }

  @Test
  void brokenQuotingIsAProblemOfItsRowAndTheRowsAfterItAreRead() throws Exception {
    List<String> rows = read("h\n\"abc\"def,x\nnext,row\nok,\"open\nmore,3\n");
    assertThat(rows).hasSize(4); // the quote never closed took the rest of the input
    assertThat(rows.get(1)).startsWith("2 [] problem: Unexpected character ('d'");
    assertThat(rows.get(2)).isEqualTo("3 [next, row] <next,row>");
    assertThat(rows.get(3)).isEqualTo("4 [ok] problem: Missing closing quote for value");
  }

  @Test
  void aLongInputStreamsAndEveryRowKeepsItsText() throws Exception {
    StringBuilder csv = new StringBuilder("id,text\n");
    for (int i = 0; i < 50_000; i++) {
      csv.append(i).append(i % 7 == 0 ? ",\"a\nb\"\n" : ",row ").append(i % 7 == 0 ? "" : i + "\n");
    }
    long line = 2;
    int i = 0;
    try (CsvRows rows = new CsvRows(new StringReader(csv.toString()))) {
      rows.next();
      while (rows.next()) {
        assertThat(rows.line()).isEqualTo(line);
        if (i % 7 == 0) {
          assertThat(rows.fields()).containsExactly(String.valueOf(i), "a\nb");
          assertThat(rows.text()).isEqualTo(i + ",\"a");
          line += 2;
        } else {
          assertThat(rows.fields()).containsExactly(String.valueOf(i), "row " + i);
          assertThat(rows.text()).isEqualTo(i + ",row " + i);
          line++;
        }
        i++;
      }
    }
    assertThat(i).isEqualTo(50_000);
  }
}
