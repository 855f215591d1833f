package io.prescient.job.local;

import static io.prescient.job.cli.CommandOptions.flag;
import static io.prescient.job.cli.CommandOptions.opt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.datasets.ConversionStats;
import io.prescient.job.datasets.ConvertDataset;
import io.prescient.job.datasets.DatasetConverter;
import io.prescient.job.serve.DecisionGateway;
import io.prescient.job.training.TrainChurn;
import io.prescient.job.training.TrainOffersFromFeedback;
import io.prescient.job.training.TrainingCli;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code ./prescient demo}: the whole local stack with real components. A Kafka broker as a
 * separate process, the job on an embedded Flink MiniCluster with RocksDB state, a shared dataset
 * converted and replayed into {@code events} at a speed-up, and a live console summary. Ctrl-C
 * stops everything it started.
 */
public final class LocalDemo {
  static final String COMMAND = "prescient demo";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--dataset",
              "NAME",
              "taobao",
              "taobao (9 days of views, carts, purchases), rees46 (3 hours, with prices) or"
                  + " online-retail (a year of purchases and refunds: no carts, so no reminders)"),
          opt(
              "--speed-up",
              "X",
              "3600",
              "event time runs X times faster than the wall clock (3600: an hour of the dataset per"
                  + " second); 0 = as fast as possible"),
          opt("--max-gap", "S", "0.5", "longest wall-clock pause between two events, seconds"),
          opt("--limit", "N", null, "replay only the first N events (default: all of them)"),
          opt("--port", "N", "9092", "Kafka broker port (0 picks a free port)"),
          opt(
              "--serve-port",
              "N",
              "8088",
              "the web tier's gateway, GET /v1/decisions (0 picks a free port; -1: none); answers"
                  + " as of the replay's event time"),
          opt(
              "--churn-model",
              "M",
              "train",
              "train (trained once on Online Retail in seconds, cached in"
                  + " <work-dir>/models/demo-churn), none, or a manifest"),
          opt(
              "--items-model",
              "M",
              "train",
              "train (item-to-item neighbours from the replayed dataset, cached in"
                  + " <work-dir>/models/demo-items), none, or a manifest; announced on 'models'"
                  + " when the job has started"),
          opt(
              "--offer-model-after",
              "N",
              "500",
              "train an offer model from the demo's own feedback once N records are in, and"
                  + " announce it on 'models' (0: never)"),
          opt(
              "--data-dir",
              "DIR",
              Path.of("..", "shared", "data").toString(),
              "the shared datasets"),
          opt("--work-dir", "DIR", ".local", "broker data, checkpoints, converted data, output"),
          flag("--exit-after-replay", "stop by itself once the replay is done and output is quiet"),
          opt(
              "--kafka-classpath-file",
              "F",
              Path.of("deploy", "local-kafka", "target", "kafka.classpath").toString(),
              "the broker's class path (./prescient passes it)"));

  private static final Map<String, String> DATASET_FILES =
      Map.of(
          "taobao", "clickstream/taobao-userbehavior-head.csv.gz",
          "rees46", "clickstream/rees46-2019oct-head.csv.gz",
          "online-retail", "online-retail/online-retail.csv.gz");

  /** Records the demo sends first, so that the DLQ is visibly at work. */
  static final List<byte[]> HOSTILE_RECORDS =
      List.of(
          "{\"event_id\":\"bad-1\",\"user_id\":".getBytes(StandardCharsets.UTF_8),
          ("{\"event_id\":\"bad-2\",\"user_id\":\"demo\",\"type\":\"teleport\","
                  + "\"timestamp\":\"2017-11-25T00:00:00Z\"}")
              .getBytes(StandardCharsets.UTF_8),
          "{\"event_id\":\"bad-3\",\"type\":\"view\",\"timestamp\":1511568000000}"
              .getBytes(StandardCharsets.UTF_8),
          new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});

  String dataset;
  double speedUp;
  long maxGapMs;
  long limit;
  int port;
  int servePort;
  String churnModel;
  String itemsModel;
  int offerModelAfter;
  Path dataDir;
  Path workDir;
  Path kafkaClasspathFile;
  boolean exitAfterReplay;
  final Map<String, String> jobOptions = new LinkedHashMap<>();

  private Configuration config;
  private DecisionGateway gateway;
  private volatile boolean stopRequested;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private LocalDemo() {}

  public static void main(String[] args) throws Exception {
    CommandOptions.main(
        COMMAND,
        () -> {
          LocalDemo demo = parse(args);
          if (demo == null) {
            return;
          }
          Summary s = demo.run();
          System.exit(s.refused ? 2 : s.failed ? 1 : 0);
        });
  }

  /**
   * The demo {@code args} describe, every value and job option checked before anything starts (a
   * value out of range is one line and exit status 2, not a job failing on every restart); null
   * when --help printed the usage.
   */
  static LocalDemo parse(String... args) {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "The whole local stack with real components: a Kafka broker as a separate process,"
                + " the job on an embedded Flink MiniCluster with RocksDB state, a shared dataset"
                + " converted and replayed into 'events' at a speed-up, and a live console summary."
                + " Ctrl-C stops everything it started.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args,
            "The web UI is on loopback and cannot cancel (--rest.bind-address 0.0.0.0",
            "--web.cancel.enable true).",
            "",
            "Output: live summary on the console; every decision, DLQ record and audit",
            "receipt is appended to <work-dir>/out/<topic>.jsonl; the broker stays at",
            "localhost:<port> while the demo runs.");
    if (p == null) {
      return null;
    }
    LocalDemo d = new LocalDemo();
    d.dataset = p.get("--dataset");
    if (!DATASET_FILES.containsKey(d.dataset)) {
      throw p.error(
          "unknown dataset '"
              + d.dataset
              + "' (--dataset: "
              + String.join(", ", new java.util.TreeSet<>(DATASET_FILES.keySet()))
              + ")");
    }
    d.speedUp = p.getDouble("--speed-up");
    if (!(d.speedUp >= 0) || Double.isInfinite(d.speedUp)) {
      throw p.error("--speed-up needs a number of at least 0, not '" + p.get("--speed-up") + "'");
    }
    double gap = p.getDouble("--max-gap");
    if (!(gap >= 0) || Double.isInfinite(gap)) {
      throw p.error("--max-gap needs seconds, at least 0, not '" + p.get("--max-gap") + "'");
    }
    d.maxGapMs = (long) (gap * 1000);
    d.limit = p.has("--limit") ? p.getLong("--limit") : 0;
    if (d.limit < 0) {
      throw p.error("--limit needs a number of events, at least 0, not " + d.limit);
    }
    d.port = p.getInt("--port", 0, 65535);
    d.servePort = p.getInt("--serve-port", -1, 65535);
    d.offerModelAfter = p.getInt("--offer-model-after", 0, Integer.MAX_VALUE);
    d.churnModel = model(p, "--churn-model");
    d.itemsModel = model(p, "--items-model");
    d.dataDir = Path.of(p.get("--data-dir"));
    d.workDir = Path.of(p.get("--work-dir"));
    d.kafkaClasspathFile = Path.of(p.get("--kafka-classpath-file"));
    d.exitAfterReplay = p.flag("--exit-after-replay");
    d.jobOptions.putAll(p.checkedJobOptions());
    try {
      PrescientConfig.fromMap(d.jobOptions("localhost:" + Math.max(1, d.port)));
    } catch (PrescientConfig.ConfigException e) {
      throw p.error(e.getMessage());
    }
    return d;
  }

  /** A model option: train, none, or a manifest file that exists. */
  private static String model(CommandOptions.Parsed p, String name) {
    String v = p.get(name);
    if (!v.equals("train") && !v.equals("none") && !Files.isRegularFile(Path.of(v))) {
      throw p.error(name + " " + v + " is not a file (give train, none or a manifest)");
    }
    return v;
  }

  /** What the demo saw; also its result for tests. */
  public static final class Summary {
    public long eventsSent;
    public long decisions;
    public long dlq;
    public long audit;
    public double firstDecisionSeconds = -1;
    public double startSeconds;
    public boolean failed;

    /** The first reason the demo gave for failing (null: it did not fail). */
    public String failure;

    public long brokerPid = -1;

    /** Requests the demo itself sent through its gateway, and those answered by the job. */
    public int onsiteRequests;

    public int onsiteAnswered;

    /** Decisions with a churn score, with a propensity below 1, explored. */
    public long churnScored;

    public long belowOnePropensity;
    public long explored;

    /** The items model announced (null: none), and decisions that recommended products. */
    public String itemsModel;

    public long recommending;

    /** The offer model the demo trained and announced (null: none), and whether it served. */
    public String offerModel;

    public boolean offerModelServed;

    /** The work dir was in use by another demo: nothing was started. */
    public boolean refused;
  }

  /**
   * Runs the demo with these arguments until it stops by itself or is interrupted; null when --help
   * printed the usage. Bad arguments are a {@link CommandOptions.UsageError}, before anything
   * starts.
   */
  public static Summary run(String... args) throws Exception {
    LocalDemo demo = parse(args);
    return demo == null ? null : demo.run();
  }

  Summary run() throws Exception {
    long t0 = System.nanoTime();
    Summary summary = new Summary();
    // One demo per work dir: a second one would wipe the first one's broker data and output.
    WorkDirLock lock = WorkDirLock.acquire(workDir);
    if (lock == null) {
      fail(
          summary,
          "another demo is using "
              + workDir
              + " ("
              + WorkDirLock.holder(workDir)
              + "); stop it, or give this one --work-dir and --port of its own");
      summary.refused = true;
      return summary;
    }
    Thread hook = new Thread(this::requestStopAndWait, "prescient-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LocalKafkaBroker broker = null;
    JobClient job = null;
    OutputWatcher watcher = null;
    Thread replayThread = null;
    DecisionGateway gateway = null;
    try {
      Path events = convertedDataset();
      say("starting a Kafka broker (separate process) ...");
      broker =
          LocalKafkaBroker.start(
              workDir.resolve("kafka"), kafkaClasspath(), port, Duration.ofSeconds(90));
      summary.brokerPid = broker.pid();
      say(
          "Kafka broker pid "
              + broker.pid()
              + " at "
              + broker.bootstrapServers()
              + " (log: "
              + workDir.resolve("kafka").resolve("broker.log")
              + ")");
      Map<String, String> options = jobOptions(broker.bootstrapServers());
      if (!options.containsKey("prescient.model.churn")) {
        String churn = churnModelUri();
        if (churn != null) {
          options.put("prescient.model.churn", churn);
        }
      }
      Configuration config = PrescientConfig.fromMap(options);
      this.config = config;
      createTopics(broker, config);

      StreamExecutionEnvironment env = PrescientJob.environment(config);
      PrescientPipeline.build(env, KafkaIO.create(config), config);
      job = env.executeAsync("prescient-demo");
      say(
          "job "
              + job.getJobID()
              + " running on an embedded MiniCluster (parallelism "
              + options.get("prescient.parallelism")
              + ", RocksDB state, "
              + config.get(io.prescient.job.PrescientOptions.DELIVERY_GUARANTEE)
              + ", checkpoints every "
              + config.get(io.prescient.job.PrescientOptions.CHECKPOINT_INTERVAL).toSeconds()
              + " s; log: "
              + workDir.resolve("demo.log")
              + ")");

      announceItems(events, broker.bootstrapServers(), config, summary);
      watcher =
          new OutputWatcher(
              broker.bootstrapServers(),
              List.of(
                  topic(config, "decisions"),
                  topic(config, "dlq"),
                  topic(config, "audit"),
                  topic(config, "responses"),
                  topic(config, "feedback")),
              workDir.resolve("out"));
      Thread watcherThread = new Thread(watcher, "prescient-demo-watcher");
      watcherThread.setDaemon(true);
      watcherThread.start();

      sendHostileRecords(broker.bootstrapServers(), topic(config, "events"));
      EventReplayer replayer =
          new EventReplayer(
              events, topic(config, "events"), broker.bootstrapServers(), speedUp, maxGapMs, limit);
      if (servePort >= 0) {
        Map<String, String> serve = new LinkedHashMap<>(options);
        serve.put("prescient.serve.port", Integer.toString(servePort));
        // Requests are stamped with the replay's event time: the job answers as of then.
        gateway =
            DecisionGateway.start(
                PrescientConfig.fromMap(serve),
                () -> replayer.eventTime() > 0 ? replayer.eventTime() : System.currentTimeMillis());
        this.gateway = gateway;
        say(
            "web tier gateway: curl 'http://127.0.0.1:"
                + gateway.port()
                + "/v1/decisions?user_id=USER&placement=home_banner' (a user of the log: the"
                + " console prints one every 30 s)");
      }
      replayThread = new Thread(replayer, "prescient-demo-replay");
      replayThread.setDaemon(true);
      replayThread.start();
      summary.startSeconds = seconds(t0);
      say(
          String.format(
              "replaying %s at %sx into '%s' (started in %.1f s; %d malformed records sent first"
                  + " to show the DLQ). Ctrl-C stops everything.",
              events,
              speedUp > 0 ? String.format("%.0f", speedUp) : "max speed",
              topic(config, "events"),
              summary.startSeconds,
              HOSTILE_RECORDS.size()));
      watch(broker, t0, replayer, watcher, job, config, summary);
      if (replayer.failure() != null) {
        fail(summary, "replay failed: " + replayer.failure());
      }
      if (replayer.failed() > 0) {
        fail(
            summary,
            replayer.failed()
                + " events were not accepted by the broker; last error: "
                + replayer.lastSendError());
      }
    } catch (Exception e) {
      fail(summary, "failed: " + e.getMessage());
      if (!(e instanceof IOException) && !(e instanceof IllegalArgumentException)) {
        e.printStackTrace();
      }
    } finally {
      if (replayThread != null) {
        replayThread.interrupt();
      }
      if (gateway != null) {
        gateway.close();
      }
      if (job != null) {
        try {
          job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // already finished or failed
        }
      }
      if (watcher != null) {
        summary.decisions = watcher.count(topic(this.config, "decisions"));
        summary.dlq = watcher.count(topic(this.config, "dlq"));
        summary.audit = watcher.count(topic(this.config, "audit"));
        summary.churnScored = watcher.churnScored();
        summary.recommending = watcher.recommending();
        summary.belowOnePropensity = watcher.belowOnePropensity();
        summary.explored = watcher.explored();
        summary.offerModelServed |=
            summary.offerModel != null
                && summary.offerModel.equals(watcher.servedModels().get("offer"));
        watcher.close();
      }
      if (broker != null) {
        broker.close();
        say("Kafka broker stopped");
      }
      printFinal(summary, watcher);
      lock.close();
      stopped.countDown();
      if (!stopRequested) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already exiting
        }
      }
    }
    return summary;
  }

  /** The root cause of a failed job, as ": message", or "" (running, or not known yet). */
  private static String failureCause(JobClient job) {
    try {
      job.getJobExecutionResult().get(1, TimeUnit.SECONDS);
      return "";
    } catch (java.util.concurrent.ExecutionException e) {
      return ": " + PrescientJob.rootCause(e);
    } catch (Exception notYet) {
      return "";
    }
  }

  private void watch(
      LocalKafkaBroker broker,
      long t0,
      EventReplayer replayer,
      OutputWatcher watcher,
      JobClient job,
      Configuration config,
      Summary summary)
      throws Exception {
    String decisions = topic(config, "decisions");
    String dlq = topic(config, "dlq");
    String audit = topic(config, "audit");
    long lastLine = 0;
    long lastSample = 0;
    long lastSent = 0;
    long quietSince = 0;
    long lastTotal = -1;
    JobStatus lastStatus = null;
    while (!stopRequested) {
      Thread.sleep(250);
      long now = System.nanoTime();
      JobStatus status = job.getJobStatus().get();
      summary.eventsSent = replayer.sent();
      if (summary.firstDecisionSeconds < 0 && watcher.count(decisions) > 0) {
        summary.firstDecisionSeconds = seconds(t0);
        say(String.format("first decision after %.1f s:", summary.firstDecisionSeconds));
        System.out.println("  " + abbreviate(watcher.latest(decisions)));
        lastSample = now;
      }
      if (now - lastLine >= 5_000_000_000L) {
        double rate = (replayer.sent() - lastSent) / Math.max(1e-9, (now - lastLine) / 1e9);
        lastSent = replayer.sent();
        lastLine = now;
        System.out.printf(
            "[%s] job %s, broker %s | events in %,d (%,.0f/s)%s | event time %s | decisions %,d"
                + " | dlq %,d | audit %,d%n",
            clock(t0),
            status,
            broker.isAlive() ? "up" : "DOWN",
            replayer.sent(),
            rate,
            replayer.done() ? ", replay done" : "",
            replayer.eventTime() == 0
                ? "-"
                : Instant.ofEpochMilli(replayer.eventTime()).truncatedTo(ChronoUnit.MINUTES),
            watcher.count(decisions),
            watcher.count(dlq),
            watcher.count(audit));
        if (watcher.count(decisions) > 0) {
          // Under the status line: what the policy did, and the models it served.
          long n = watcher.count(decisions);
          System.out.printf(
              "  arms %s | explored %,d (%.1f%%), propensity < 1 in %,d | released after the"
                  + " delay %,d | churn-scored %,d | recommending products %,d | models %s%n",
              watcher.arms(),
              watcher.explored(),
              100.0 * watcher.explored() / n,
              watcher.belowOnePropensity(),
              watcher.delayed(),
              watcher.churnScored(),
              watcher.recommending(),
              watcher.servedModels());
        }
      }
      offerModelStep(watcher, config, broker.bootstrapServers(), summary);
      if (watcher.count(decisions) > 0 && now - lastSample >= 30_000_000_000L) {
        lastSample = now;
        System.out.println("  latest decision: " + abbreviate(watcher.latest(decisions)));
        askOnsite(replayer.lastUser(), summary);
        if (watcher.latest(dlq) != null) {
          System.out.println("  latest dlq: " + abbreviate(watcher.latest(dlq)));
        }
      }
      if (status.isGloballyTerminalState()) {
        fail(
            summary,
            "the job ended: "
                + status
                + failureCause(job)
                + " (see "
                + workDir.resolve("demo.log")
                + ")");
        return;
      }
      if (status != lastStatus) {
        if (status != JobStatus.RUNNING && lastStatus != null) {
          say(
              "the job is "
                  + status
                  + failureCause(job)
                  + " (see "
                  + workDir.resolve("demo.log")
                  + ")");
        } else if (status == JobStatus.RUNNING && lastStatus != null) {
          say("the job is RUNNING again");
        }
        lastStatus = status;
      }
      if (!broker.isAlive()) {
        fail(
            summary,
            "the Kafka broker (pid "
                + broker.pid()
                + ") is gone; see "
                + workDir.resolve("kafka").resolve("broker.log"));
        return;
      }
      if (exitAfterReplay && replayer.done()) {
        long total = watcher.count(decisions) + watcher.count(dlq) + watcher.count(audit);
        long interval = config.get(io.prescient.job.PrescientOptions.CHECKPOINT_INTERVAL).toNanos();
        if (total != lastTotal) {
          lastTotal = total;
          quietSince = now;
        } else if (now - quietSince > Math.max(3 * interval, 10_000_000_000L)) {
          askOnsite(replayer.lastUser(), summary);
          say("replay done and output quiet: stopping");
          return;
        }
      }
    }
  }

  private volatile Thread offerTraining;

  /**
   * Once the demo's own feedback has {@link #offerModelAfter} records, trains an offer model from
   * them in the background and announces it on {@code models}; then reports when decisions name it
   * (the live swap).
   */
  private void offerModelStep(
      OutputWatcher watcher, Configuration config, String bootstrap, Summary summary) {
    String feedback = topic(config, "feedback");
    if (offerModelAfter > 0
        && offerTraining == null
        && watcher.count(feedback) >= offerModelAfter) {
      long records = watcher.count(feedback);
      Path file = watcher.file(feedback);
      Path dir = workDir.resolve("models").resolve("demo-offers");
      String version = TrainingCli.versionNow();
      offerTraining =
          new Thread(
              () -> {
                long t0 = System.nanoTime();
                try {
                  Path manifest =
                      TrainOffersFromFeedback.train(
                          file,
                          config.get(io.prescient.job.PrescientOptions.POLICY_OFFERS),
                          dir,
                          version,
                          1);
                  announce(bootstrap, topic(config, "models"), "offers", version, manifest);
                  summary.offerModel = version;
                  say(
                      String.format(
                          "offer model %s trained on the demo's first %,d feedback records in"
                              + " %.1f s and announced on '%s': watch the models of the"
                              + " decisions change (live swap, no restart)",
                          version,
                          records,
                          (System.nanoTime() - t0) / 1e9,
                          topic(config, "models")));
                } catch (Exception | LinkageError e) {
                  say("offer model not trained: " + PrescientJob.rootCause(e));
                }
              },
              "prescient-demo-offer-training");
      offerTraining.setDaemon(true);
      offerTraining.start();
    }
    if (summary.offerModel != null
        && !summary.offerModelServed
        && summary.offerModel.equals(watcher.servedModels().get("offer"))) {
      summary.offerModelServed = true;
      say("live swap: decisions are now scored by offer model " + summary.offerModel);
    }
  }

  /**
   * Announces the item-to-item model ({@code --items-model}) on {@code models}, trained from the
   * replayed dataset the first time; the demo runs on without one if that fails.
   */
  private void announceItems(Path events, String bootstrap, Configuration config, Summary summary) {
    if (itemsModel.equals("none")) {
      say("no items model (--items-model none): decisions recommend no products");
      return;
    }
    try {
      long t0 = System.nanoTime();
      Path manifest =
          itemsModel.equals("train")
              ? DemoItems.modelFor(events, workDir.resolve("models").resolve("demo-items"))
              : Path.of(itemsModel);
      // The manifest says which version it is: the job refuses an announcement that differs.
      String version =
          io.prescient.models.artifact.ModelManifest.parse(Files.readString(manifest)).version();
      announce(bootstrap, topic(config, "models"), "items", version, manifest);
      summary.itemsModel = version;
      say(
          String.format(
              "items model %s announced on '%s' (%.1f s; %s): follow-ups, browse abandonment,"
                  + " win-backs and onsite answers recommend products, each with its reason",
              version, topic(config, "models"), (System.nanoTime() - t0) / 1e9, manifest));
    } catch (Exception | LinkageError e) {
      say("no items model: " + PrescientJob.rootCause(e) + " (--items-model FILE serves one)");
    }
  }

  /** Announces a model artifact on the models topic, as a training pipeline would. */
  static void announce(String bootstrap, String topic, String name, String version, Path manifest)
      throws Exception {
    String json =
        String.format(
            "{\"name\":\"%s\",\"version\":\"%s\",\"uri\":\"%s\",\"sha256\":\"%s\"}",
            name,
            version,
            manifest.toAbsolutePath().toUri(),
            io.prescient.state.contract.Hashes.sha256Hex(Files.readAllBytes(manifest)));
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrap,
                "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
                "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"))) {
      p.send(
              new ProducerRecord<>(
                  topic,
                  name.getBytes(StandardCharsets.UTF_8),
                  json.getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The churn model to serve: {@code --churn-model none}: none; a manifest path; or (train, the
   * default) the newest one in {@code <work-dir>/models/demo-churn}, trained once on Online Retail
   * when there is none.
   */
  private String churnModelUri() throws Exception {
    if (churnModel.equals("none")) {
      say("no churn model (--churn-model none): win-backs wait for one, nothing is churn-scored");
      return null;
    }
    if (!churnModel.equals("train")) {
      Path manifest = Path.of(churnModel);
      if (!Files.isRegularFile(manifest)) {
        throw new IOException("--churn-model " + churnModel + " is not a file");
      }
      say("serving churn model " + manifest);
      return manifest.toAbsolutePath().toUri().toString();
    }
    Path dir = workDir.resolve("models").resolve("demo-churn");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        Path newest =
            files
                .filter(f -> f.getFileName().toString().matches("churn-[0-9TZ]+\\.json"))
                .max(java.util.Comparator.comparing(Path::toString))
                .orElse(null);
        if (newest != null) {
          say("serving churn model " + newest + " (trained earlier; delete it to retrain)");
          return newest.toAbsolutePath().toUri().toString();
        }
      }
    }
    Path events;
    try {
      events = convertedDataset("online-retail");
    } catch (IOException e) {
      // The demo still runs: without a churn model, win-backs wait and nothing is churn-scored.
      say("no churn model: " + e.getMessage() + " (--churn-model FILE serves one)");
      return null;
    }
    say(
        "training the demo's churn model once, on Online Retail (a year of purchases; a few"
            + " seconds) into "
            + dir
            + " ...");
    long t0 = System.nanoTime();
    Map<String, String> o = TrainChurn.defaults();
    o.put("--events", events.toString());
    o.put("--output", dir.toString());
    o.put("--quick", "");
    Path manifest = TrainChurn.train(o);
    say(
        String.format(
            "churn model trained in %.0f s: %s", (System.nanoTime() - t0) / 1e9, manifest));
    return manifest.toAbsolutePath().toUri().toString();
  }

  /** One request through the demo's gateway, as a web page would make it; printed. */
  private void askOnsite(String user, Summary summary) {
    if (gateway == null || user == null) {
      return;
    }
    String url =
        "http://127.0.0.1:"
            + gateway.port()
            + "/v1/decisions?user_id="
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
            + "&placement=home_banner";
    try {
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
      summary.onsiteRequests++;
      boolean fallback = r.headers().firstValue("X-Prescient-Fallback").isPresent();
      if (!fallback && r.statusCode() == 200) {
        summary.onsiteAnswered++;
      }
      System.out.printf(
          "  onsite request (curl '%s'): %s in %d ms: %s%n",
          url,
          fallback ? "FALLBACK" : "answered",
          (System.nanoTime() - t0) / 1_000_000,
          abbreviate(r.body()));
    } catch (IOException e) {
      System.out.println("  onsite request failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void printFinal(Summary s, OutputWatcher watcher) {
    System.out.printf(
        "%nsummary: %,d events replayed, %,d decisions, %,d DLQ records, %,d audit receipts%n",
        s.eventsSent, s.decisions, s.dlq, s.audit);
    if (s.decisions == 0 && s.eventsSent > 0 && config != null) {
      java.time.Duration delay = config.get(io.prescient.job.PrescientOptions.POLICY_DELAY);
      System.out.println(
          "no decision left the job: outbound decisions are held for the creepiness delay ("
              + delay.toHours()
              + " h of event time, prescient.policy.creepiness-delay) and leave when event time"
              + " passes their send_after; replay more than that span of events (no --limit), or"
              + " lower the delay");
    }
    if (watcher != null) {
      System.out.println(
          "decisions: "
              + watcher.file(topic(this.config, "decisions"))
              + "   dlq: "
              + watcher.file(topic(this.config, "dlq")));
    }
  }

  /** Ctrl-C: ask the main loop to stop and wait (bounded) until it has cleaned up. */
  private void requestStopAndWait() {
    stopRequested = true;
    try {
      stopped.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  Map<String, String> jobOptions(String bootstrapServers) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("prescient.kafka.bootstrap-servers", bootstrapServers);
    o.put("prescient.kafka.group-id", "prescient-demo");
    o.put("prescient.kafka.starting-offsets", "EARLIEST");
    o.put("prescient.parallelism", "2");
    o.put("prescient.checkpoint.interval", "5 s");
    o.put(
        "prescient.checkpoint.dir",
        workDir.resolve("checkpoints").toAbsolutePath().toUri().toString());
    o.put("prescient.watermark.idleness", "2 s");
    // Explore from the first decision: epsilon-greedy on the catalog's priors until an offer
    // model is served (the job's default lets the rules decide instead).
    o.put("prescient.policy.without-offer-model", "PRIOR");
    // The embedded Flink's REST endpoint (web UI) answers on this machine only, and cannot cancel
    // the job; --rest.bind-address and --web.cancel.enable change that.
    o.put("rest.bind-address", "localhost");
    o.put("web.cancel.enable", "false");
    o.putAll(jobOptions);
    return o;
  }

  private Path convertedDataset() throws IOException {
    return convertedDataset(dataset);
  }

  private Path convertedDataset(String dataset) throws IOException {
    Path source = dataDir.resolve(DATASET_FILES.get(dataset));
    if (!Files.exists(source)) {
      throw new IOException(
          "dataset file "
              + source.toAbsolutePath()
              + " not found; point --data-dir at the shared data folder");
    }
    Path out = workDir.resolve("data").resolve(dataset + ".jsonl");
    if (Files.exists(out)
        && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) > 0) {
      say("using converted " + out);
      return out;
    }
    say("converting " + source + " -> " + out + " ...");
    ConversionStats stats = ConvertDataset.convert(DatasetConverter.named(dataset), source, out, 0);
    say(
        String.format(
            "converted %,d rows into %,d events %s",
            stats.rowsRead(), stats.eventsWritten(), stats.writtenByType()));
    return out;
  }

  private String kafkaClasspath() throws IOException {
    if (!Files.exists(kafkaClasspathFile)) {
      throw new IOException(
          kafkaClasspathFile + " is missing: run 'mvn -q package -DskipTests' first");
    }
    return Files.readString(kafkaClasspathFile).strip();
  }

  private static void createTopics(LocalKafkaBroker broker, Configuration config)
      throws IOException {
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (String t : io.prescient.job.PrescientOptions.TOPICS) {
      topics.put(topic(config, t), 2);
    }
    broker.createTopics(
        topics, Map.of("max.message.bytes", Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));
  }

  private static String topic(Configuration config, String name) {
    return config == null ? name : config.getString("prescient.topic." + name, name);
  }

  private static void sendHostileRecords(String bootstrapServers, String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = EventReplayer.producer(bootstrapServers)) {
      for (byte[] r : HOSTILE_RECORDS) {
        p.send(new ProducerRecord<>(topic, r)).get();
      }
    }
  }

  /** Says why the demo failed and records it in the summary (the first reason is kept). */
  private static void fail(Summary summary, String message) {
    say(message);
    summary.failed = true;
    if (summary.failure == null) {
      summary.failure = message;
    }
  }

  private static void say(String message) {
    System.out.println("prescient demo: " + message);
  }

  private static String clock(long t0) {
    long s = (long) seconds(t0);
    return String.format("%02d:%02d", s / 60, s % 60);
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A decision or answer as one readable line: who, what, which arm and policy, the scores, the
   * logged propensity and why; the whole record is in the output files.
   */
  static String abbreviate(String s) {
    if (s == null) {
      return "-";
    }
    JsonNode d;
    try {
      d = JSON.readTree(s);
    } catch (IOException e) {
      return s.length() <= 400 ? s : s.substring(0, 397) + "...";
    }
    if (!d.has("decision_id") || d.get("decision_id").isNull()) {
      return s.length() <= 400 ? s : s.substring(0, 397) + "...";
    }
    StringBuilder b = new StringBuilder();
    b.append(d.path("user_id").asText()).append(' ').append(d.path("trigger").asText());
    b.append(": ").append(d.path("action").asText());
    if (d.hasNonNull("offer_id")) {
      b.append(' ').append(d.get("offer_id").asText());
    }
    if (d.hasNonNull("product_id")) {
      b.append(" of ").append(d.get("product_id").asText());
    } else if (d.hasNonNull("category")) {
      b.append(" in ").append(d.get("category").asText());
    }
    b.append(" via ").append(d.path("channel").asText(d.path("holdout_channel").asText("-")));
    JsonNode recs = d.path("recommendations");
    for (int i = 0; i < Math.min(3, recs.size()); i++) {
      b.append(i == 0 ? " | recommends " : ", ").append(recs.get(i).path("product_id").asText());
      b.append(" (").append(recs.get(i).path("reason").asText()).append(')');
    }
    b.append(" | arm ").append(d.path("arm").asText()).append(", policy ");
    b.append(d.path("policy").asText());
    if (d.path("explored").asBoolean()) {
      b.append(", EXPLORED");
    }
    b.append(", propensity ").append(d.path("propensity").asText());
    if (d.path("scores").size() > 0) {
      b.append(" | scores ").append(d.get("scores"));
    }
    if (d.path("model_versions").size() > 0) {
      b.append(" | models ").append(d.get("model_versions"));
    }
    b.append(" | why: ").append(d.path("why").asText());
    return b.toString();
  }
}
