package io.prescient.job;

import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client settings given as {@code prescient.kafka.properties.<name>}: security (TLS, SASL)
 * and tuning, passed to every source, sink and admin client the job makes.
 */
public final class KafkaClientProperties {
  private KafkaClientProperties() {}

  public static final String PREFIX = "prescient.kafka.properties.";

  /** Client keys the job sets itself: they have options of their own, or must not change. */
  static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "group.id",
          "transactional.id",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "enable.auto.commit",
          "isolation.level");

  private static final Set<String> CLIENT_KEYS = new HashSet<>();

  static {
    CLIENT_KEYS.addAll(ConsumerConfig.configNames());
    CLIENT_KEYS.addAll(ProducerConfig.configNames());
    CLIENT_KEYS.addAll(AdminClientConfig.configNames());
  }

  /** Whether a key given without the prefix is a Kafka client setting (refused, with a hint). */
  static boolean isBareClientKey(String key) {
    return CLIENT_KEYS.contains(key) || key.startsWith("sasl.") || key.startsWith("ssl.");
  }

  /** What is wrong with a {@code prescient.kafka.properties.*} entry, or null. */
  static String problem(String key, String value) {
    String name = key.substring(PREFIX.length());
    if (OWNED.contains(name)) {
      return key
          + " is set by the job"
          + (name.equals("bootstrap.servers")
              ? "; use prescient.kafka.bootstrap-servers"
              : name.equals("group.id") ? "; use prescient.kafka.group-id" : "");
    }
    if (!CLIENT_KEYS.contains(name) && !name.startsWith("sasl.") && !name.startsWith("ssl.")) {
      return key + ": '" + name + "' is not a Kafka client setting";
    }
    if (value == null || value.isBlank()) {
      return key + " needs a value";
    }
    return null;
  }

  /** The client properties given in the configuration, without the prefix. */
  public static Properties of(Configuration c) {
    Properties p = new Properties();
    c.toMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(PREFIX)) {
                p.setProperty(k.substring(PREFIX.length()), v);
              }
            });
    return p;
  }

  /** Whether a setting's value is a secret, never to be printed. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password")
        || k.contains("jaas")
        || k.contains("secret")
        || k.contains("token")
        || k.endsWith(".key")
        || k.contains("credentials");
  }

  /** The settings as they may be printed or logged: secrets shown as {@code ******}. */
  public static Map<String, String> masked(Map<String, String> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach((k, v) -> out.put(k, isSecret(k) ? "******" : v));
    return out;
  }
}
