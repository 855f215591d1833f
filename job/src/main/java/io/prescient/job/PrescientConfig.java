package io.prescient.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Reads the job's configuration: an optional flat YAML file ({@code --config FILE}, lines of {@code
 * key: value}) overridden by {@code --key value} arguments. Keys starting with {@code prescient.}
 * must be options of {@link PrescientOptions}; any other key is passed to Flink unchanged, so one
 * file can also carry Flink settings.
 */
public final class PrescientConfig {
  private PrescientConfig() {}

  /** Thrown for unusable configuration; the message says what to fix. */
  public static final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  public static Configuration fromArgs(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> cli = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        throw new ConfigException("expected --key value, got '" + a + "'");
      }
      String keyName = a.substring(2);
      String value;
      int eq = keyName.indexOf('=');
      if (eq > 0) {
        value = keyName.substring(eq + 1);
        keyName = keyName.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new ConfigException("option --" + keyName + " needs a value");
      }
      if (keyName.equals("config")) {
        values.putAll(readFile(Path.of(value)));
      } else {
        cli.put(keyName, value);
      }
    }
    values.putAll(cli);
    return fromMap(values);
  }

  public static Configuration fromMap(Map<String, String> values) {
    Set<String> known =
        PrescientOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
    for (Map.Entry<String, String> e : values.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(KafkaClientProperties.PREFIX)) {
        String problem = KafkaClientProperties.problem(k, e.getValue());
        if (problem != null) {
          throw new ConfigException(problem);
        }
        continue;
      }
      if (KafkaClientProperties.isBareClientKey(k)) {
        throw new ConfigException(
            "'"
                + k
                + "' is a Kafka client setting: give it as "
                + KafkaClientProperties.PREFIX
                + k
                + ", so that every source and sink gets it");
      }
      if (k.startsWith("prescient.") && !known.contains(k)) {
        throw new ConfigException(
            "unknown option '" + k + "'. Known options:\n  " + String.join("\n  ", sorted(known)));
      }
    }
    Configuration c = Configuration.fromMap(values);
    Map<String, OptionChecks.Check<?>> checks = OptionChecks.byKey();
    for (ConfigOption<?> o : PrescientOptions.all()) {
      try {
        c.get(o); // parse now: a bad value fails at start with its key, not deep in the job
      } catch (RuntimeException e) {
        OptionChecks.Check<?> check = checks.get(o.key());
        throw new ConfigException(
            o.key()
                + " = '"
                + values.get(o.key())
                + "' is not allowed; "
                + (check == null ? e.getMessage() : "allowed: " + check.allowed()));
      }
    }
    // Every value in its range now: nothing out of range reaches a task (where it would fail the
    // job on every restart).
    String problem = OptionChecks.firstProblem(c, values);
    if (problem != null) {
      throw new ConfigException(problem);
    }
    if (c.get(PrescientOptions.DELIVERY_GUARANTEE) == DeliveryGuarantee.EXACTLY_ONCE
        && c.get(PrescientOptions.CHECKPOINT_INTERVAL).isZero()) {
      throw new ConfigException(
          "exactly-once needs checkpointing: set prescient.checkpoint.interval above 0");
    }
    return c;
  }

  static Map<String, String> readFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    int n = 0;
    for (String line : lines) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException(file + ":" + n + ": expected 'key: value', got '" + t + "'");
      }
      String value = t.substring(colon + 1).strip();
      if (value.length() >= 2
          && (value.startsWith("\"") && value.endsWith("\"")
              || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      values.put(t.substring(0, colon).strip(), value);
    }
    return values;
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }
}
