package io.prescient.operators;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The profile operator as the job runs it: {@link ProfileFunction} with its profile cache in
 * write-behind mode, first of the two operators of the per-user task (the policy, {@link
 * PolicyOperator}, is chained behind it: no network exchange between them).
 *
 * <p>Input 1 is keyed by user: events, privacy requests and outcomes. Input 2 is the broadcast of
 * model announcements and catalog entries, which this operator does not read: it hands each one on
 * as a {@link PolicyInput.Kind#CONTROL} input to the policy, which keeps them in its broadcast
 * state as before. Used as a one-input operator (tests, the profile benchmark) it is the profile
 * alone.
 *
 * <p>A user's profile is written to RocksDB when it leaves the cache and before every checkpoint
 * barrier (and at the end of input), not on every event, so a burst of a user's events costs one
 * write. Checkpoints and savepoints still hold every profile in full: {@link
 * #prepareSnapshotPreBarrier} runs on the task thread before the barrier goes out, the way Flink's
 * own mini-batch operators flush. After a failure the job restarts from the last checkpoint, which
 * the lost cache is not part of.
 */
public class ProfileOperator extends KeyedProcessOperator<String, Envelope, PolicyInput>
    implements TwoInputStreamOperator<Envelope, Envelope, PolicyInput> {
  private static final long serialVersionUID = 1L;

  private final ProfileFunction profile;

  public ProfileOperator(ProfileFunction function) {
    super(function);
    this.profile = function;
  }

  @Override
  public void open() throws Exception {
    profile.writeBehind(this);
    super.open();
  }

  @Override
  public void processElement1(StreamRecord<Envelope> element) throws Exception {
    processElement(element);
  }

  /** A broadcast record: on to the chained policy, untouched, with no key set. */
  @Override
  public void processElement2(StreamRecord<Envelope> element) throws Exception {
    output.collect(element.replace(PolicyInput.control(element.getValue())));
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    profile.writeCachedProfiles();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    profile.writeCachedProfiles();
    super.finish();
  }
}
