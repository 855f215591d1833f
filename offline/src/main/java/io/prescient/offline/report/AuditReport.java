package io.prescient.offline.report;

import io.prescient.offline.audit.FairnessAudit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Markdown report of a fairness audit, with per-group offer-rate and TPR charts. */
public final class AuditReport {
  private AuditReport() {}

  public static Path write(Path dir, String title, String inputs, FairnessAudit.Result r)
      throws IOException {
    Files.createDirectories(dir);
    String base = "audit-" + r.attribute();
    Map<String, Double> rates = new LinkedHashMap<>();
    Map<String, Double> tprs = new LinkedHashMap<>();
    for (FairnessAudit.GroupStats g : r.groups()) {
      if (g.users() >= r.minGroupSize()) {
        rates.put(g.group() + " (" + g.users() + ")", g.offerRate());
        if (!Double.isNaN(g.truePositiveRate()) && g.qualified() >= r.minGroupSize()) {
          tprs.put(g.group() + " (" + g.qualified() + ")", g.truePositiveRate());
        }
      }
    }
    Path ratesPng = dir.resolve(base + "-offer-rate.png");
    Charts.bars(ratesPng, "Offer rate by " + r.attribute(), "offers / users", rates);
    Path tprPng = dir.resolve(base + "-tpr.png");
    if (!tprs.isEmpty()) {
      Charts.bars(tprPng, "Offer rate among the qualified by " + r.attribute(), "TPR", tprs);
    }
    StringBuilder md = new StringBuilder("# Fairness audit: ").append(title).append("\n\n");
    md.append(inputs).append("\n\n");
    md.append(
        String.format(
            "Groups by `%s`; groups with fewer than %d users are listed but left out of the"
                + " measures.%n%n",
            r.attribute(), r.minGroupSize()));
    md.append("| measure | value | threshold | verdict |\n|---|---:|---:|---|\n");
    md.append(
        String.format(
            "| demographic parity ratio (lowest / highest offer rate: %s / %s) | %.3f | >= %.2f |"
                + " %s |%n",
            r.parityLow(),
            r.parityHigh(),
            r.parityRatio(),
            r.parityThreshold(),
            r.parityFlagged() ? "**FLAGGED**" : "ok"));
    md.append(
        String.format(
            "| equal opportunity gap (offer rate among the qualified, max - min) | %s | <= %.2f |"
                + " %s |%n%n",
            Double.isNaN(r.equalOpportunityGap())
                ? "n/a (no qualified users known)"
                : String.format("%.3f", r.equalOpportunityGap()),
            r.gapThreshold(),
            Double.isNaN(r.equalOpportunityGap()) ? "n/a" : r.gapFlagged() ? "**FLAGGED**" : "ok"));
    md.append(
        "| group | users | offers | offer rate | mean offer value | outcomes | conversion of"
            + " offered | qualified | offer rate among qualified |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (FairnessAudit.GroupStats g : r.groups()) {
      md.append(
          String.format(
              "| %s%s | %,d | %,d | %.3f | %s | %,d | %s | %,d | %s |%n",
              g.group(),
              g.users() < r.minGroupSize() ? " (small)" : "",
              g.users(),
              g.offered(),
              g.offerRate(),
              fmt(g.meanOfferValue()),
              g.outcomes(),
              fmt(g.conversionOfOffered()),
              g.qualified(),
              fmt(g.truePositiveRate())));
    }
    md.append("\n![offer rate](").append(ratesPng.getFileName()).append(")\n");
    if (!tprs.isEmpty()) {
      md.append("\n![offer rate among the qualified](").append(tprPng.getFileName()).append(")\n");
    }
    Path file = dir.resolve(base + "-report.md");
    Files.writeString(file, md.toString());
    return file;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format("%.3f", v);
  }
}
