package io.prescient.offline.training;

import org.tribuo.classification.xgboost.XGBoostClassificationTrainer;
import org.tribuo.common.xgboost.XGBoostTrainer;

/** XGBoost hyperparameters: the few that matter, with the values a model was trained with. */
public record BoostingParams(
    int trees,
    double eta,
    int maxDepth,
    double minChildWeight,
    double subsample,
    double featureSubsample,
    double lambda,
    long seed) {

  public XGBoostClassificationTrainer trainer(int threads) {
    return new XGBoostClassificationTrainer(
        XGBoostTrainer.BoosterType.GBTREE,
        XGBoostTrainer.TreeMethod.HIST,
        trees,
        eta,
        0,
        maxDepth,
        minChildWeight,
        subsample,
        featureSubsample,
        lambda,
        0,
        threads,
        XGBoostTrainer.LoggingVerbosity.SILENT,
        seed);
  }

  @Override
  public String toString() {
    return String.format(
        "trees=%d eta=%s max_depth=%d min_child_weight=%s subsample=%s colsample=%s lambda=%s"
            + " seed=%d",
        trees, eta, maxDepth, minChildWeight, subsample, featureSubsample, lambda, seed);
  }
}
