package io.prescient.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * The start-up check of the job's Kafka: the brokers answer within a bounded wait, the credentials
 * are accepted, and every topic the job reads and writes exists. Run before the job is submitted,
 * so that a wrong address, password or topic name is one line and a non-zero exit, not a job
 * restarting behind the scenes.
 */
public final class KafkaCheck {
  private KafkaCheck() {}

  /** Why the job's Kafka cannot be used; the message is the one line to print. */
  public static final class KafkaUnusableException extends Exception {
    private static final long serialVersionUID = 1L;

    KafkaUnusableException(String message) {
      super(message);
    }
  }

  /** Runs the check unless {@link PrescientOptions#KAFKA_CHECK_TIMEOUT} is 0. */
  public static void run(Configuration c) throws KafkaUnusableException {
    Duration timeout = c.get(PrescientOptions.KAFKA_CHECK_TIMEOUT);
    if (timeout.isZero()) {
      return;
    }
    String servers = c.get(PrescientOptions.BOOTSTRAP_SERVERS);
    Properties p = KafkaClientProperties.of(c);
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(ms));
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(ms));
    p.setProperty(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> existing;
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(remaining(deadline), TimeUnit.MILLISECONDS);
      existing =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs(ms))
              .names()
              .get(remaining(deadline), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new KafkaUnusableException(
          "no Kafka broker answered at "
              + servers
              + " within "
              + timeout.toSeconds()
              + " s (prescient.kafka.bootstrap-servers; for a secured cluster see"
              + " prescient.kafka.properties.*)");
    } catch (ExecutionException e) {
      throw new KafkaUnusableException(describe(servers, e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnusableException("interrupted while checking Kafka at " + servers);
    } catch (RuntimeException e) {
      // KafkaException from Admin.create: a bad security setting, an unreadable keystore, ...
      throw new KafkaUnusableException(describe(servers, e));
    }
    List<String> missing = new ArrayList<>();
    for (String name : PrescientOptions.TOPICS) {
      String topic = c.getString("prescient.topic." + name, name);
      if (!existing.contains(topic)) {
        missing.add(topic + " (prescient.topic." + name + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new KafkaUnusableException(
          "missing topic"
              + (missing.size() > 1 ? "s" : "")
              + " on "
              + servers
              + ": "
              + String.join(", ", missing)
              + "; create them first (see docs/contracts.md) or name others");
    }
  }

  private static String describe(String servers, Throwable cause) {
    if (cause instanceof AuthenticationException) {
      return "Kafka at " + servers + " refused the credentials: " + cause.getMessage();
    }
    if (cause instanceof AuthorizationException) {
      return "Kafka at " + servers + " refused access: " + cause.getMessage();
    }
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no Kafka broker answered at "
          + servers
          + " in time (prescient.kafka.bootstrap-servers; for a secured cluster see"
          + " prescient.kafka.properties.*): "
          + cause.getMessage();
    }
    Throwable root = PrescientJob.root(cause);
    return "cannot use Kafka at "
        + servers
        + ": "
        + cause.getMessage()
        + (root != cause ? " (" + root.getMessage() + ")" : "");
  }

  private static long remaining(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }
}
