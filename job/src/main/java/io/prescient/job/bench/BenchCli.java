package io.prescient.job.bench;

import io.prescient.job.PrescientConfig;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the benchmark commands add to {@link CommandOptions}: Flink options besides the job's, and
 * whole numbers that must fit an int.
 *
 * <p>{@link CommandOptions.Rest#JOB_OPTIONS} passes on {@code --prescient.KEY VALUE} and {@code
 * --config FILE} only; a benchmark also gives its jobs any Flink option, {@code --KEY VALUE} with a
 * dot in the key (for example {@code --execution.buffer-timeout.interval 5ms}, as bench-suite
 * passes it). {@link #split} takes those out of the arguments before they are parsed.
 */
final class BenchCli {
  private BenchCli() {}

  /** The arguments without the Flink options, and the Flink options, keys without the dashes. */
  record Split(String[] args, Map<String, String> flink) {}

  static final String FLINK_FOOTER =
      "Any Flink option may follow too, --KEY VALUE (a key with a dot, for example"
          + " --state.backend.rocksdb.use-bloom-filter true or --execution.buffer-timeout.interval"
          + " 5ms): every job of the benchmark gets it.";

  /**
   * Takes the Flink options out of {@code args}: {@code --KEY VALUE} or {@code --KEY=VALUE} where
   * KEY has a dot and is not a job option ({@code prescient.*}). The values of {@code own} options
   * are skipped, whatever they look like; {@code --prescient.KEY=VALUE} is split in two, as job
   * options are passed on. An own option given more than once counts once, with its last value, as
   * before picocli (bench-suite gives bench-latency {@code --prewarm-seconds} twice); picocli would
   * reject it.
   */
  static Split split(String command, List<Opt> own, String[] args) {
    Map<String, Opt> byName =
        own.stream()
            .filter(o -> o.name().startsWith("-"))
            .collect(Collectors.toMap(Opt::name, o -> o));
    List<List<String>> groups = new ArrayList<>();
    Map<String, Integer> lastOwn = new LinkedHashMap<>();
    Map<String, String> flink = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String key = a.startsWith("--") ? a.substring(2) : "";
      int eq = key.indexOf('=');
      String name = eq >= 0 ? key.substring(0, eq) : key;
      List<String> group = new ArrayList<>();
      if (byName.containsKey("--" + name)) {
        group.add(a);
        if (eq < 0 && byName.get("--" + name).label() != null && i + 1 < args.length) {
          group.add(args[++i]);
        }
        Integer earlier = lastOwn.put("--" + name, groups.size());
        if (earlier != null) {
          groups.set(earlier, List.of());
        }
      } else if (a.equals("--config") || (eq < 0 && isJobKey(name))) {
        group.add(a);
        if (i + 1 < args.length) {
          group.add(args[++i]);
        }
      } else if (eq >= 0 && isJobKey(name)) {
        group.add("--" + name);
        group.add(key.substring(eq + 1));
      } else if (name.contains(".")) {
        if (eq >= 0) {
          flink.put(name, key.substring(eq + 1));
        } else if (i + 1 < args.length) {
          flink.put(name, args[++i]);
        } else {
          throw new CommandOptions.UsageError(command + ": " + a + " needs a value");
        }
      } else {
        group.add(a);
      }
      groups.add(group);
    }
    List<String> rest = new ArrayList<>();
    groups.forEach(rest::addAll);
    return new Split(rest.toArray(new String[0]), flink);
  }

  private static boolean isJobKey(String name) {
    return name.startsWith("prescient.");
  }

  /**
   * The job and Flink options given, as one map for {@link PrescientConfig#fromMap}: a {@code
   * --config} file's, then {@code --prescient.KEY} and Flink keys over them; checked as the job
   * checks them, so that a bad one is one line before anything starts.
   */
  static Map<String, String> jobOptions(CommandOptions.Parsed p, Map<String, String> flink) {
    List<String> a = new ArrayList<>(p.jobArgs());
    flink.forEach(
        (k, v) -> {
          a.add("--" + k);
          a.add(v);
        });
    try {
      return new LinkedHashMap<>(PrescientConfig.fromArgs(a.toArray(new String[0])).toMap());
    } catch (IllegalArgumentException e) {
      throw p.error(e.getMessage());
    }
  }

  /** The value of {@code name} as a whole number from {@code min} up; a usage error if not. */
  static int atLeast(CommandOptions.Parsed p, String name, int min) {
    long v = p.getLong(name);
    if (v < min || v > Integer.MAX_VALUE) {
      throw p.error(name + " must be a whole number from " + min + " to " + Integer.MAX_VALUE);
    }
    return (int) v;
  }
}
