package io.prescient.job;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
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
 * Reads the job's configuration: an optional YAML file ({@code --config FILE}: {@code key: value}
 * lines with dotted keys, or nested mappings, see {@link #readFile}) overridden by {@code --key
 * value} arguments. Keys starting with {@code prescient.} must be options of {@link
 * PrescientOptions}; any other key is passed to Flink unchanged, so one file can also carry Flink
 * settings.
 */
public final class PrescientConfig {
  private PrescientConfig() {}

  /**
   * Reads {@code --config} files. A key given twice in one mapping is an error, not a choice; a
   * bare {@code key:} is a null (the builder does not start from the parser's default features).
   */
  private static final YAMLFactory YAML =
      YAMLFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          .build();

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
    if (PrescientJob.changelog(c)
        && "NO_CLAIM".equalsIgnoreCase(values.get(PrescientJob.CLAIM_MODE_KEY))) {
      // Flink forces a full snapshot after a NO_CLAIM restore, which the changelog backend cannot
      // take: every checkpoint of the resumed job would fail, and the job would restart.
      throw new ConfigException(
          PrescientJob.CLAIM_MODE_KEY
              + " = NO_CLAIM cannot resume the changelog state backend (every checkpoint after"
              + " the restore would fail): use CLAIM, or set prescient.state.changelog to false");
    }
    return c;
  }

  /**
   * Reads a {@code --config} file: YAML whose mappings are flattened to dotted keys, so {@code
   * prescient.topic.events: clicks} and {@code prescient: {topic: {events: clicks}}} (or the same
   * in block style) both give {@code prescient.topic.events = clicks}. A scalar value is kept as
   * written ({@code 5}, {@code true}, {@code 100 ms}; quotes removed), {@code ""} is an empty
   * value. Refused, with the file and line: a key without a value, a list (write it as one string,
   * as the option's "allowed" text says), an alias, a key given twice (also once nested and once
   * dotted) and anything that is not YAML. Keys come back in file order.
   */
  static Map<String, String> readFile(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    try (Reader in = Files.newBufferedReader(file);
        YAMLParser p = YAML.createParser(in)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return values; // empty, or comments only
      }
      if (first != JsonToken.START_OBJECT) {
        throw problem(
            file, p, "expected 'key: value' lines (a space after the colon), got " + describe(p));
      }
      readMapping(file, p, "", values);
      if (p.nextToken() != null) {
        throw problem(file, p, "a second YAML document; give one");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ConfigException(
          file + (at == null ? "" : ":" + at.getLineNr()) + ": " + oneLine(e));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    return values;
  }

  /** The entries of the mapping just started, under {@code prefix}. */
  private static void readMapping(
      Path file, YAMLParser p, String prefix, Map<String, String> values) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (name.isBlank()) {
        throw problem(file, p, "an empty key");
      }
      String key = prefix + name;
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        int before = values.size();
        readMapping(file, p, key + ".", values);
        if (values.size() == before) {
          throw problem(file, p, key + " has no value");
        }
        continue;
      }
      if (t == JsonToken.START_ARRAY) {
        throw problem(
            file,
            p,
            key
                + ": a list is not accepted; write the value as one string, as the option's"
                + " allowed values show (list options separate items with ';')");
      }
      if (t == JsonToken.VALUE_NULL) {
        throw problem(file, p, key + " has no value (write \"\" for an empty one)");
      }
      if (p.isCurrentAlias()) {
        throw problem(file, p, key + ": aliases (*" + p.getText() + ") are not accepted");
      }
      if (values.putIfAbsent(key, p.getText()) != null) {
        throw problem(file, p, key + " is given twice");
      }
    }
  }

  private static ConfigException problem(Path file, JsonParser p, String what) {
    return new ConfigException(file + ":" + p.currentTokenLocation().getLineNr() + ": " + what);
  }

  private static String describe(JsonParser p) throws IOException {
    return p.currentToken() == JsonToken.START_ARRAY ? "a list" : "'" + p.getText() + "'";
  }

  /**
   * What the YAML parser found wrong, on one line: its message's unindented lines (the context and
   * the problem), without the indented position, source excerpt and caret lines it adds.
   */
  private static String oneLine(JsonProcessingException e) {
    String message = e.getOriginalMessage().strip();
    String what =
        message
            .lines()
            .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
            .collect(Collectors.joining(": "));
    return what.isEmpty() ? message.lines().findFirst().orElse("").strip() : what;
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }
}
