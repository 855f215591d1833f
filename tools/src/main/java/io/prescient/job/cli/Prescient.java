package io.prescient.job.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code prescient <command>}: one entry point for every tool, with generated help ({@code
 * prescient --help}), "did you mean" for a mistyped command and exit status 2 with one line for a
 * command that does not exist. Each command runs its tool's main with the arguments that follow it;
 * {@code prescient <command> --help} is the tool's own help.
 */
@Command(
    name = "prescient",
    mixinStandardHelpOptions = true,
    version = "prescient 0.1.0",
    description =
        "Prescient, a real-time next-best-action engine on Apache Flink: the job and its tools.",
    footer = {
      "",
      "./prescient also runs two scripts:",
      "  bench-suite        every benchmark, then BENCHMARKS.md regenerated (about an hour)",
      "  loop               the closed loop on a real log: replay, simulate, train, evaluate",
      "",
      "Each command prints its options with --help."
    })
public final class Prescient implements Runnable {
  /**
   * A tool: its command name, what it does, its main class, whether it needs the broker's class
   * path.
   */
  record Tool(String name, String description, String main, boolean kafkaClasspath) {}

  static final List<Tool> TOOLS =
      List.of(
          new Tool(
              "demo",
              "real Kafka broker + the job on a MiniCluster + a dataset replay",
              "io.prescient.job.local.LocalDemo",
              true),
          new Tool(
              "convert",
              "a shared dataset -> events JSON lines",
              "io.prescient.job.datasets.ConvertDataset",
              false),
          new Tool(
              "job",
              "the job itself (what a cluster runs), against any Kafka",
              "io.prescient.job.PrescientJob",
              false),
          new Tool(
              "serve",
              "HTTP gateway for web tiers: GET /v1/decisions answered by the job",
              "io.prescient.job.serve.ServeCommand",
              false),
          new Tool(
              "replay",
              "the production topology over event-log files -> decisions",
              "io.prescient.job.replay.ReplayCommand",
              false),
          new Tool(
              "check-replay",
              "the live job (real broker) and the replay over one log: same decisions?",
              "io.prescient.job.replay.ReplayCheck",
              true),
          new Tool(
              "inspect-savepoint",
              "users, carts, pending timers in a savepoint",
              "io.prescient.job.savepoint.InspectSavepoint",
              false),
          new Tool(
              "export-savepoint",
              "every user's profile + features and pending decisions as CSV and Parquet",
              "io.prescient.job.savepoint.ExportSavepoint",
              false),
          new Tool(
              "audit",
              "fairness report over decisions or model scores, by any attribute",
              "io.prescient.job.audit.AuditCommand",
              false),
          new Tool(
              "simulate",
              "SYNTHETIC customers answer a replay's decisions with outcomes",
              "io.prescient.job.evaluate.SimulateCommand",
              false),
          new Tool(
              "evaluate",
              "arms compared, and IPS / SNIPS / DR values of candidate policies",
              "io.prescient.job.evaluate.EvaluateCommand",
              false),
          new Tool(
              "copies",
              "an events log N times, user and event ids re-keyed per copy",
              "io.prescient.job.datasets.CopyLog",
              false),
          new Tool(
              "bench-profile",
              "state size per user and profile vs parse-only throughput",
              "io.prescient.job.bench.ProfileBenchmark",
              false),
          new Tool(
              "bench-scoring",
              "booster scoring vs Model.predict; item recommendations",
              "io.prescient.job.bench.ScoringBenchmark",
              false),
          new Tool(
              "bench-job",
              "the whole job vs a parse-and-write passthrough, side by side",
              "io.prescient.job.bench.JobBenchmark",
              false),
          new Tool(
              "bench-latency",
              "event-to-decision latency through a real broker at fixed rates",
              "io.prescient.job.bench.LatencyBenchmark",
              true),
          new Tool(
              "bench-state",
              "1,000,000 users' state: size per user, checkpoints, savepoints, restore",
              "io.prescient.job.bench.StateScaleBenchmark",
              true),
          new Tool(
              "bench-report",
              "BENCHMARKS.md and its charts from a bench-suite run's results",
              "io.prescient.job.bench.BenchmarkReport",
              false));

  static final List<Tool> TRAIN =
      List.of(
          new Tool(
              "churn",
              "churn, point in time, from an event log -> artifact + report",
              "io.prescient.job.training.TrainChurn",
              false),
          new Tool(
              "offers",
              "offer propensity from logged bandit feedback (Open Bandit layout) or --feedback FILE",
              "io.prescient.job.training.TrainOffers",
              false),
          new Tool(
              "items",
              "item-to-item recommendations, evaluated against popularity and cosine",
              "io.prescient.job.training.TrainItems",
              false));

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code prescient train}: a group; says what it trains when given nothing. */
  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = "train a model: churn, offers or items")
  static final class Train implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "say what to train: churn, offers or items");
    }
  }

  /** Runs a tool's main with the arguments after the command's name. */
  @Command
  static final class Delegate implements Runnable {
    private final Tool tool;

    @Unmatched List<String> args = new ArrayList<>();

    Delegate(Tool tool) {
      this.tool = tool;
    }

    @Override
    public void run() {
      List<String> a = new ArrayList<>();
      String kafka = System.getProperty("prescient.kafka-classpath-file");
      if (tool.kafkaClasspath() && kafka != null && !args.contains("--kafka-classpath-file")) {
        a.add("--kafka-classpath-file");
        a.add(kafka);
      }
      a.addAll(args);
      try {
        Class.forName(tool.main())
            .getMethod("main", String[].class)
            .invoke(null, (Object) a.toArray(new String[0]));
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw sneaky(e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot run " + tool.main(), e);
      }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
      throw (T) t;
    }
  }

  /** The command line: every tool a subcommand, {@code train} a group of three. */
  public static CommandLine commandLine() {
    CommandLine top = new CommandLine(new Prescient());
    for (Tool t : TOOLS) {
      top.addSubcommand(t.name(), subcommand(t));
    }
    CommandLine train = new CommandLine(new Train());
    for (Tool t : TRAIN) {
      train.addSubcommand(t.name(), subcommand(t));
    }
    top.addSubcommand("train", train);
    top.setUsageHelpAutoWidth(true);
    return top;
  }

  private static CommandLine subcommand(Tool t) {
    CommandLine c = new CommandLine(new Delegate(t));
    c.getCommandSpec().usageMessage().description(t.description());
    return c;
  }

  public static void main(String[] args) {
    CommandLine cl = commandLine();
    cl.setParameterExceptionHandler(Prescient::oneLine);
    int status = cl.execute(args);
    // Exit even when a finished job left threads behind (the changelog state backend's uploads).
    System.exit(status);
  }

  /** A user error: one line (and the suggestions picocli has), exit status 2. */
  static int oneLine(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("prescient: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println(
        "(prescient "
            + (e.getCommandLine().getParent() == null
                ? ""
                : e.getCommandLine().getCommandName() + " ")
            + "--help lists the commands)");
    err.flush();
    return 2;
  }
}
