package io.prescient.operators;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/** Watermark strategies of the input topics, assigned at the sources. */
public final class InputWatermarks {
  private InputWatermarks() {}

  /**
   * Behavioural events and outcomes: bounded out-of-orderness over valid records only (a rejected
   * record's timestamp is untrusted and must not move event time), idle partitions after {@code
   * idleness}.
   */
  public static WatermarkStrategy<Envelope> events(Duration outOfOrderness, Duration idleness) {
    return events(outOfOrderness, idleness, false);
  }

  /**
   * As {@link #events(Duration, Duration)}; with {@code perEvent} the watermark also advances right
   * after each event that raises it instead of only on the periodic tick, so where watermarks fall
   * in the stream depends on the input alone, not on processing speed; timers fire sooner.
   */
  public static WatermarkStrategy<Envelope> events(
      Duration outOfOrderness, Duration idleness, boolean perEvent) {
    WatermarkStrategy<Envelope> s =
        WatermarkStrategy.<Envelope>forGenerator(
                ctx -> new ValidEventsWatermarks(outOfOrderness.toMillis(), perEvent))
            .withTimestampAssigner(
                (env, recordTs) -> validTime(env) != Long.MIN_VALUE ? validTime(env) : recordTs);
    return idleness.isZero() ? s : s.withIdleness(idleness);
  }

  /**
   * Privacy requests and model announcements are control records: they take effect on arrival and
   * must not advance event time. Unbounded, their source is permanently idle, so it never holds
   * event time back either. Bounded (replays, tests), it holds event time until all requests are
   * read, so a replay applies every privacy request before any timer fires and reproduces the same
   * decisions every time.
   */
  public static WatermarkStrategy<Envelope> control(boolean bounded) {
    return WatermarkStrategy.<Envelope>forGenerator(
            ctx -> bounded ? new HoldUntilFinished() : new AlwaysIdle())
        .withTimestampAssigner((env, recordTs) -> recordTs);
  }

  /** Event time of a valid event or outcome; MIN_VALUE for anything else (untrusted). */
  static long validTime(Envelope env) {
    if (env.event != null) {
      return env.event.timestamp;
    }
    return env.outcome != null ? env.outcome.timestamp : Long.MIN_VALUE;
  }

  static final class ValidEventsWatermarks implements WatermarkGenerator<Envelope> {
    private final long outOfOrdernessMs;
    private final boolean perEvent;
    private long maxTimestamp;

    ValidEventsWatermarks(long outOfOrdernessMs, boolean perEvent) {
      this.outOfOrdernessMs = outOfOrdernessMs;
      this.perEvent = perEvent;
      this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMs + 1;
    }

    @Override
    public void onEvent(Envelope env, long eventTimestamp, WatermarkOutput output) {
      long t = validTime(env);
      if (t != Long.MIN_VALUE && t > maxTimestamp) {
        maxTimestamp = t;
        if (perEvent) {
          output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMs - 1));
        }
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMs - 1));
    }
  }

  static final class AlwaysIdle implements WatermarkGenerator<Envelope> {
    @Override
    public void onEvent(Envelope env, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.markIdle();
    }
  }

  static final class HoldUntilFinished implements WatermarkGenerator<Envelope> {
    @Override
    public void onEvent(Envelope env, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      // nothing: the end of input emits the final watermark
    }
  }
}
