package io.prescient.operators;

import io.prescient.state.contract.Decision;
import java.util.List;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The policy operator as the job runs it: {@link PolicyFunction} on one keyed input, chained behind
 * {@link ProfileOperator} in the same task, so a decision point reaches it as a method call, not
 * through a network buffer.
 *
 * <p>It is Flink's own operator for a keyed broadcast function, with its state, timers and contexts
 * unchanged (the {@code policy} uid restores savepoints of the two-input topology as they are: same
 * keyed states, same broadcast states, same timer service). Only the broadcast side arrives
 * differently: as {@link PolicyInput.Kind#CONTROL} inputs, interleaved with the users' inputs,
 * which go to {@link PolicyFunction#processBroadcastElement} and never set a key.
 *
 * <p>Its users' policy records are cached write-behind ({@link PolicyStateStore}): written when
 * evicted, before every checkpoint barrier and at the end of input, as {@link ProfileOperator} does
 * with profiles.
 */
public class PolicyOperator
    extends CoBroadcastWithKeyedOperator<String, PolicyInput, Envelope, Decision>
    implements OneInputStreamOperator<PolicyInput, Decision> {
  private static final long serialVersionUID = 1L;

  private final PolicyFunction policy;

  public PolicyOperator(PolicyFunction function) {
    super(function, List.of(PolicyState.MODELS, PolicyState.CATALOG));
    this.policy = function;
  }

  @Override
  public void open() throws Exception {
    policy.writeBehind(this);
    super.open();
  }

  /** Cached user records reach the state before the barrier (see {@link PolicyStateStore}). */
  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    policy.writeCachedUsers();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    policy.writeCachedUsers();
    super.finish();
  }

  @Override
  public void processElement(StreamRecord<PolicyInput> element) throws Exception {
    PolicyInput in = element.getValue();
    if (in.kind == PolicyInput.Kind.CONTROL) {
      processElement2(element.replace(in.control));
    } else {
      processElement1(element);
    }
  }

  /** Control inputs are of no user: the key of the last user input stays set (nothing reads it). */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public void setKeyContextElement1(StreamRecord record) throws Exception {
    if (((PolicyInput) record.getValue()).kind != PolicyInput.Kind.CONTROL) {
      super.setKeyContextElement1(record);
    }
  }
}
