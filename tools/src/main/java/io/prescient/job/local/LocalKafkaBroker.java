package io.prescient.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running as a separate
 * process from the Maven {@code kafka_2.13} artifact. Every start is fresh: the data directory is
 * wiped and formatted. {@link #close()} stops the process and waits for it to exit.
 */
public final class LocalKafkaBroker implements AutoCloseable {
  /** Large enough for the 10 MB hostile records the job must reject. */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final Process process;
  private final String bootstrapServers;
  private final Path workDir;

  private LocalKafkaBroker(Process process, String bootstrapServers, Path workDir) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
  }

  /**
   * Starts a broker on {@code port} (0 picks a free port) with its files under {@code workDir}, and
   * waits until it answers.
   */
  public static LocalKafkaBroker start(Path workDir, String classpath, int port, Duration timeout)
      throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(workDir, classpath, port, timeout);
      } catch (IOException e) {
        // Port 0: the free ports were picked, then released for the broker to bind; on a busy
        // machine another process may take one in between. Pick new ones (twice at most).
        if (port != 0 || attempt == 3 || !logsMention(workDir, PORT_TAKEN)) {
          throw e;
        }
      }
    }
  }

  /** Whether the broker's log or output in {@code workDir} has {@code text} anywhere. */
  static boolean logsMention(Path workDir, String text) {
    for (String name : List.of("broker.log", "broker.out")) {
      try {
        if (Files.exists(workDir.resolve(name))
            && Files.readString(workDir.resolve(name)).contains(text)) {
          return true;
        }
      } catch (IOException | UncheckedIOException ignored) {
        // not readable: not mentioned
      }
    }
    return false;
  }

  /** What a broker that could not bind its port logs. */
  static final String PORT_TAKEN = "Address already in use";

  private static LocalKafkaBroker startOnce(
      Path workDir, String classpath, int port, Duration timeout)
      throws IOException, InterruptedException {
    int brokerPort = port == 0 ? freePort() : port;
    if (!isFree(brokerPort)) {
      throw new IOException(
          "port "
              + brokerPort
              + " is in use (another Kafka?). Stop it, or choose another port with --port N");
    }
    int controllerPort = freePort();
    while (controllerPort == brokerPort) {
      controllerPort = freePort();
    }
    deleteRecursively(workDir);
    Path data = Files.createDirectories(workDir.resolve("data"));
    Path props = workDir.resolve("server.properties");
    Files.writeString(props, serverProperties(brokerPort, controllerPort, data));
    Path log4j = workDir.resolve("log4j2.properties");
    Files.writeString(log4j, log4jProperties(workDir.resolve("broker.log")));

    String clusterId = run(workDir, classpath, log4j, "kafka.tools.StorageTool", "random-uuid");
    run(
        workDir,
        classpath,
        log4j,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        lastLine(clusterId),
        "-c",
        props.toString());
    Process p =
        java(classpath, log4j, "kafka.Kafka", props.toString())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("broker.out").toFile())
            .start();
    LocalKafkaBroker broker = new LocalKafkaBroker(p, "localhost:" + brokerPort, workDir);
    try {
      broker.awaitReady(timeout);
    } catch (Throwable e) { // nothing may be left running when start fails
      broker.close();
      throw e;
    }
    return broker;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** False once the broker process has exited (killed, or failed). */
  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Creates topics; existing ones are left as they are. */
  public void createTopics(Map<String, Integer> partitions, Map<String, String> configs)
      throws IOException {
    try (Admin admin = admin()) {
      List<NewTopic> topics = new ArrayList<>();
      partitions.forEach(
          (name, n) -> topics.add(new NewTopic(name, n, (short) 1).configs(configs)));
      Map<String, Integer> created = new HashMap<>(partitions);
      for (var f : admin.createTopics(topics).values().entrySet()) {
        try {
          f.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IOException("cannot create topics: " + e.getCause().getMessage(), e);
          }
          created.remove(f.getKey()); // there before: its partitions are what they are
        } catch (Exception e) {
          throw new IOException("cannot create topics: " + e, e);
        }
      }
      awaitWritable(admin, created, Duration.ofSeconds(30));
    }
  }

  /**
   * Waits until the broker serves every partition of {@code partitions} (a list-offsets request
   * answers for each). A producer with several requests in flight that writes to a partition the
   * broker has not applied yet can have its first request refused and the second taken; the first
   * then fails with an out-of-order sequence until its delivery timeout, and its records are lost
   * (KAFKA-15591: seen here as check-replay failing with "Expiring 10 record(s) for events-1").
   */
  static void awaitWritable(Admin admin, Map<String, Integer> partitions, Duration timeout)
      throws IOException {
    Map<TopicPartition, OffsetSpec> all = new HashMap<>();
    partitions.forEach(
        (name, n) -> {
          for (int i = 0; i < n; i++) {
            all.put(new TopicPartition(name, i), OffsetSpec.latest());
          }
        });
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        admin.listOffsets(all).all().get(5, TimeUnit.SECONDS);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for new topics", e);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "the broker does not serve the new topics " + partitions.keySet() + ": " + e, e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for new topics", ie);
        }
      }
    }
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"));
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "the Kafka broker exited with code " + process.exitValue() + ":\n" + tail());
      }
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "the Kafka broker did not answer within " + timeout.toSeconds() + " s:\n" + tail());
        }
        Thread.sleep(200);
      }
    }
  }

  private String tail() {
    for (String name : List.of("broker.log", "broker.out")) {
      try {
        List<String> lines = Files.readAllLines(workDir.resolve(name));
        if (!lines.isEmpty()) {
          return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
      } catch (IOException ignored) {
        // try the next file
      }
    }
    return "(no broker output)";
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and waits until the process is gone. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String serverProperties(int brokerPort, int controllerPort, Path data) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@localhost:" + controllerPort,
        "listeners=PLAINTEXT://localhost:"
            + brokerPort
            + ",CONTROLLER://localhost:"
            + controllerPort,
        "advertised.listeners=PLAINTEXT://localhost:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + data.toAbsolutePath(),
        "num.partitions=2",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "transaction.max.timeout.ms=900000",
        "message.max.bytes=" + MAX_MESSAGE_BYTES,
        "auto.create.topics.enable=false",
        "");
  }

  private static String log4jProperties(Path logFile) {
    return String.join(
        "\n",
        "rootLogger.level=INFO",
        "rootLogger.appenderRef.file.ref=file",
        "appender.file.type=File",
        "appender.file.name=file",
        "appender.file.fileName=" + logFile.toAbsolutePath(),
        "appender.file.layout.type=PatternLayout",
        "appender.file.layout.pattern=[%d] %p %m (%c)%n",
        "");
  }

  private static ProcessBuilder java(String classpath, Path log4j, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  /** Runs a Kafka tool to completion; returns its standard output. */
  private static String run(Path workDir, String classpath, Path log4j, String main, String... args)
      throws IOException, InterruptedException {
    Path out = workDir.resolve(main.substring(main.lastIndexOf('.') + 1) + ".out");
    Process p =
        java(classpath, log4j, main, args)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(main + " did not finish within 60 s");
    }
    String output = Files.readString(out);
    if (p.exitValue() != 0) {
      throw new IOException(main + " " + String.join(" ", args) + " failed:\n" + output);
    }
    return output;
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\\R");
    return lines[lines.length - 1].strip();
  }

  /** A TCP port nothing listens on now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(LocalKafkaBroker::delete);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
