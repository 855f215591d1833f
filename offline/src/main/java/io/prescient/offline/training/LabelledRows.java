package io.prescient.offline.training;

import java.time.OffsetDateTime;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Rows of named float features with a binary label and a weight, and their Tribuo form. A {@code
 * NaN} feature is left out of the Tribuo example, which XGBoost reads as "missing": the same
 * meaning as {@code NaN} in the dense matrices the fast scorer builds.
 */
public final class LabelledRows {
  public static final String POSITIVE = "1";
  public static final String NEGATIVE = "0";

  private LabelledRows() {}

  /** One example. */
  public record Row(float[] features, boolean positive, float weight) {}

  /** A Tribuo example with the features that are not NaN. */
  public static Example<Label> example(List<String> names, float[] features, boolean positive) {
    return example(names, features, positive, 1f);
  }

  public static Example<Label> example(
      List<String> names, float[] features, boolean positive, float weight) {
    ArrayExample<Label> ex = new ArrayExample<>(new Label(positive ? POSITIVE : NEGATIVE), weight);
    for (int i = 0; i < features.length; i++) {
      if (!Float.isNaN(features[i])) {
        ex.add(names.get(i), features[i]);
      }
    }
    return ex;
  }

  /** A Tribuo dataset of the rows, named {@code description} in its provenance. */
  public static MutableDataset<Label> dataset(
      String description, List<String> names, List<Row> rows) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> ds =
        new MutableDataset<>(
            new SimpleDataSourceProvenance(description, OffsetDateTime.now(), factory), factory);
    for (Row r : rows) {
      ds.add(example(names, r.features(), r.positive(), r.weight()));
    }
    return ds;
  }
}
