package io.prescient.job.audit;

import static io.prescient.job.cli.CommandOptions.opt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.datasets.CsvRows;
import io.prescient.offline.audit.FairnessAudit;
import io.prescient.offline.report.AuditReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * {@code ./prescient audit}: a fairness report over a decision log (what the job decided) or a
 * model's scores (what a policy would decide), by any user attribute.
 */
public final class AuditCommand {
  private AuditCommand() {}

  static final String COMMAND = "prescient audit";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--decisions",
              "FILE",
              null,
              "decisions JSON lines as the job writes them: a user with an offer_id is offered;"
                  + " the offer value is scores.cart_value"),
          opt(
              "--scores",
              "FILE",
              null,
              "a model's scores CSV (user_id,...,score,churned; written by train churn): offered ="
                  + " score >= --offer-at, qualified = churned"),
          opt("--offer-at", "P", "0.5", "score from which a user is offered"),
          opt(
              "--measure",
              "M",
              "offers",
              "with --decisions: offers (a decision with an offer_id) or decisions (any decision)"
                  + " count as being offered"),
          opt("--users", "FILE", null, "CSV with a header: user_id and attribute columns"),
          opt(
              "--online-retail",
              "CSV",
              null,
              "take users from the Online Retail dataset (user or-<CustomerID>, attribute"
                  + " country)"),
          opt("--attribute", "NAME", "country", "the column that defines the groups"),
          opt(
              "--outcomes",
              "FILE",
              null,
              "outcomes JSON lines {decision_id, type}: converted = type converted"),
          opt(
              "--qualified",
              "FILE",
              null,
              "user ids (one per line) the offer is meant for, for equal opportunity"),
          opt("--min-group", "N", "30", "groups smaller than this are left out of the measures"),
          opt(
              "--parity-threshold",
              "R",
              "0.8",
              "flag a demographic parity ratio below R (0.8 is the four-fifths rule)"),
          opt("--gap-threshold", "G", "0.1", "flag an equal opportunity gap above G"),
          opt(
              "--output",
              "DIR",
              Path.of(".local", "audit").toString(),
              "where the report and charts go"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "A fairness report over a decision log (what the job decided) or a model's scores"
                + " (what a policy would decide), by any user attribute. Give exactly one of"
                + " --decisions and --scores, and exactly one of --users and --online-retail.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args);
    if (p == null) {
      return;
    }
    if (p.has("--decisions") == p.has("--scores")) {
      throw p.error("give exactly one of --decisions and --scores");
    }
    if (p.has("--users") == p.has("--online-retail")) {
      throw p.error("give exactly one of --users and --online-retail");
    }
    for (String k :
        List.of(
            "--decisions", "--scores", "--users", "--online-retail", "--outcomes", "--qualified")) {
      if (p.has(k) && !Files.isRegularFile(Path.of(p.get(k)))) {
        throw p.error(k + " " + p.get(k) + " is not a file");
      }
    }
    double at = p.getDouble("--offer-at");
    int minGroup = p.getInt("--min-group", 0, Integer.MAX_VALUE);
    double parityThreshold = p.getDouble("--parity-threshold");
    double gapThreshold = p.getDouble("--gap-threshold");
    String measure = p.get("--measure");
    if (!measure.equals("offers") && !measure.equals("decisions")) {
      throw p.error("--measure is offers or decisions, not " + measure);
    }
    boolean anyDecision = measure.equals("decisions");
    String attribute = p.get("--attribute");
    Map<String, String> groups;
    try {
      groups =
          p.has("--users")
              ? usersCsv(Path.of(p.get("--users")), attribute)
              : onlineRetailCountries(Path.of(p.get("--online-retail")));
    } catch (IOException e) {
      throw p.error(e.getMessage()); // a file without the columns named
    }
    List<FairnessAudit.Subject> subjects;
    String inputs;
    if (p.has("--scores")) {
      try {
        subjects = fromScores(Path.of(p.get("--scores")), groups, at);
      } catch (IOException e) {
        throw p.error(e.getMessage()); // a file without the columns named
      }
      inputs =
          String.format(
              "Input: model scores `%s`; a user is offered when the score is at least %.2f;"
                  + " qualified = churned (the label).",
              Path.of(p.get("--scores")).getFileName(), at);
    } else {
      Set<String> qualified =
          p.has("--qualified")
              ? new HashSet<>(Files.readAllLines(Path.of(p.get("--qualified"))))
              : null;
      Map<String, Boolean> outcomes =
          p.has("--outcomes") ? outcomes(Path.of(p.get("--outcomes"))) : Map.of();
      subjects =
          fromDecisions(Path.of(p.get("--decisions")), groups, outcomes, qualified, anyDecision);
      inputs =
          String.format(
              "Input: decision log `%s`, population = the %,d users of the attribute file;"
                  + " offered = %s.",
              Path.of(p.get("--decisions")).getFileName(),
              groups.size(),
              anyDecision ? "received any decision" : "received a decision with an offer");
    }
    FairnessAudit.Result r =
        FairnessAudit.run(attribute, subjects, (int) minGroup, parityThreshold, gapThreshold);
    Path report = AuditReport.write(Path.of(p.get("--output")), attribute, inputs, r);
    System.out.printf(
        "demographic parity ratio %.3f (%s / %s)%s; equal opportunity gap %.3f%s%nreport: %s%n",
        r.parityRatio(),
        r.parityLow(),
        r.parityHigh(),
        r.parityFlagged() ? " FLAGGED" : "",
        r.equalOpportunityGap(),
        r.gapFlagged() ? " FLAGGED" : "",
        report);
  }

  static List<FairnessAudit.Subject> fromScores(
      Path file, Map<String, String> groups, double offerAt) throws IOException {
    List<FairnessAudit.Subject> out = new ArrayList<>();
    try (CsvRows rows = new CsvRows(reader(file))) {
      List<String> header = header(file, rows);
      int user = header.indexOf("user_id");
      int score = header.indexOf("score");
      int churned = header.indexOf("churned");
      if (user < 0 || score < 0) {
        throw new IOException(file + ": needs user_id and score columns");
      }
      List<String> f;
      while ((f = nextRow(file, rows)) != null) {
        boolean offered = Double.parseDouble(f.get(score)) >= offerAt;
        Boolean q = churned < 0 ? null : Boolean.parseBoolean(f.get(churned));
        out.add(
            new FairnessAudit.Subject(
                f.get(user), groups.get(f.get(user)), offered, Double.NaN, null, q));
      }
    }
    return out;
  }

  static List<FairnessAudit.Subject> fromDecisions(
      Path file,
      Map<String, String> groups,
      Map<String, Boolean> outcomes,
      Set<String> qualified,
      boolean anyDecision)
      throws IOException {
    Map<String, double[]> offeredValue = new HashMap<>(); // user -> {value}
    Map<String, Boolean> converted = new HashMap<>();
    JsonFactory json = new JsonFactory();
    try (BufferedReader in = reader(file)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String user = null;
        String decisionId = null;
        String offer = null;
        double value = 0;
        try (JsonParser p = json.createParser(line)) {
          p.nextToken();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
              case "user_id" -> user = p.getText();
              case "decision_id" -> decisionId = p.getText();
              case "offer_id" -> offer = p.getText();
              case "scores" -> {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  String k = p.currentName();
                  p.nextToken();
                  if (k.equals("cart_value")) {
                    value = p.getDoubleValue();
                  }
                }
              }
              default -> p.skipChildren();
            }
          }
        }
        if (user != null && (offer != null || anyDecision)) {
          offeredValue.merge(user, new double[] {value}, (a, b) -> new double[] {a[0] + b[0]});
          Boolean c = outcomes.get(decisionId);
          if (c != null) {
            converted.merge(user, c, Boolean::logicalOr);
          }
        }
      }
    }
    List<FairnessAudit.Subject> out = new ArrayList<>();
    groups.forEach(
        (user, group) -> {
          double[] v = offeredValue.get(user);
          out.add(
              new FairnessAudit.Subject(
                  user,
                  group,
                  v != null,
                  v == null ? 0 : v[0],
                  converted.get(user),
                  qualified == null ? null : qualified.contains(user)));
        });
    return out;
  }

  static Map<String, Boolean> outcomes(Path file) throws IOException {
    Map<String, Boolean> out = new HashMap<>();
    JsonFactory json = new JsonFactory();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      String id = null;
      String type = null;
      try (JsonParser p = json.createParser(line)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          if (f.equals("decision_id")) {
            id = p.getText();
          } else if (f.equals("type")) {
            type = p.getText();
          } else {
            p.skipChildren();
          }
        }
      }
      if (id != null) {
        out.merge(id, "converted".equals(type), Boolean::logicalOr);
      }
    }
    return out;
  }

  static Map<String, String> usersCsv(Path file, String attribute) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (CsvRows rows = new CsvRows(reader(file))) {
      List<String> header = header(file, rows);
      int user = header.indexOf("user_id");
      int attr = header.indexOf(attribute);
      if (user < 0 || attr < 0) {
        throw new IOException(file + ": needs columns user_id and " + attribute);
      }
      List<String> f;
      while ((f = nextRow(file, rows)) != null) {
        out.put(f.get(user), f.get(attr));
      }
    }
    return out;
  }

  /** Customer -> country from the Online Retail CSV, with the converter's user ids. */
  static Map<String, String> onlineRetailCountries(Path file) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (CsvRows rows = new CsvRows(reader(file))) {
      List<String> header = header(file, rows);
      int customer = header.indexOf("CustomerID");
      int country = header.indexOf("Country");
      List<String> f;
      while ((f = nextRow(file, rows)) != null) {
        String c = f.get(customer).trim();
        if (!c.isEmpty()) {
          out.putIfAbsent("or-" + (long) Double.parseDouble(c), f.get(country));
        }
      }
    }
    return out;
  }

  /** A CSV file's header row (none for an empty file). */
  private static List<String> header(Path file, CsvRows rows) throws IOException {
    List<String> header = nextRow(file, rows);
    return header == null ? List.of() : List.copyOf(header);
  }

  /** The next row's fields (until the next call), null at the end; broken quoting is an error. */
  private static List<String> nextRow(Path file, CsvRows rows) throws IOException {
    if (!rows.next()) {
      return null;
    }
    if (rows.problem() != null) {
      throw new IOException(file + ":" + rows.line() + ": " + rows.problem());
    }
    return rows.fields();
  }

  private static BufferedReader reader(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    if (p.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }
}
