package io.prescient.state.contract;

/** A record that fails parsing or validation; carries the reason code and a precise detail. */
public class InvalidRecordException extends Exception {
  private static final long serialVersionUID = 1L;
  private final RejectReason reason;

  public InvalidRecordException(RejectReason reason, String detail) {
    super(detail, null, false, false); // no stack trace: this is a data outcome, not a bug
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
