package io.prescient.models.artifact;

/**
 * A model artifact that must not serve: it is refused with a reason code, and whatever served
 * before keeps serving.
 */
public class ModelLoadException extends Exception {
  /** Why an artifact was refused; the code is what metrics and reports show. */
  public enum Reason {
    UNREADABLE("unreadable"),
    LOCATION_REFUSED("location_refused"),
    TOO_LARGE("too_large"),
    REFUSED_BEFORE("refused_before"),
    BAD_MANIFEST("bad_manifest"),
    HASH_MISMATCH("hash_mismatch"),
    SCHEMA_MISMATCH("schema_mismatch"),
    CORRUPT_MODEL("corrupt_model");

    public final String code;

    Reason(String code) {
      this.code = code;
    }
  }

  private final Reason reason;

  public ModelLoadException(Reason reason, String message) {
    super(reason.code + ": " + message);
    this.reason = reason;
  }

  public ModelLoadException(Reason reason, String message, Throwable cause) {
    super(reason.code + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
