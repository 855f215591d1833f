package io.prescient.state.contract;

/**
 * Why a record went to the DLQ. The code is stable (dashboards and alerts key on it); the
 * accompanying detail text says exactly what was wrong with this record.
 */
public enum RejectReason {
  EMPTY_RECORD,
  RECORD_TOO_LARGE,
  INVALID_UTF8,
  MALFORMED_JSON,
  NOT_AN_OBJECT,
  DUPLICATE_FIELD,
  MISSING_FIELD,
  WRONG_TYPE,
  UNKNOWN_TYPE,
  INVALID_TIMESTAMP,
  OUT_OF_RANGE,
  INVALID_VALUE,
  LATE_EVENT,
  DUPLICATE_EVENT,
  /** An outcome for no decision this user has open (never released, or its window closed). */
  UNKNOWN_DECISION;

  /** The code as written to the DLQ and used as a metric label: lower snake case. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
