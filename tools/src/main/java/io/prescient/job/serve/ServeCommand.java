package io.prescient.job.serve;

import io.prescient.job.KafkaCheck;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientOptions;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;

/**
 * {@code prescient serve}: runs the web tier's {@link DecisionGateway} until stopped (Ctrl-C or
 * SIGTERM). It takes the job's options: the same brokers, Kafka client settings and topic names.
 */
public final class ServeCommand {
  private ServeCommand() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          Usage: prescient serve [--config FILE] [--<key> <value> ...]
          Answers GET /v1/decisions?user_id=U&placement=P[&request_id=R][&context.K=V...]
          through the running job (requests -> responses topics); after prescient.serve.timeout
          without an answer, the fallback ("fallback": true, action none). Also GET /health and
          GET /metrics. The keys are the job's (docs/configuration.md): prescient.serve.port
          (8088), prescient.serve.bind-address (127.0.0.1), prescient.serve.timeout (150 ms),
          prescient.kafka.*, prescient.topic.requests and prescient.topic.responses.""");
      return;
    }
    Configuration options;
    try {
      options = PrescientConfig.fromArgs(args);
    } catch (PrescientConfig.ConfigException e) {
      System.err.println("prescient serve: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      KafkaCheck.run(options);
    } catch (KafkaCheck.KafkaUnusableException e) {
      System.err.println("prescient serve: " + e.getMessage());
      System.exit(1);
      return;
    }
    DecisionGateway gateway;
    try {
      gateway = DecisionGateway.start(options, System::currentTimeMillis);
    } catch (IOException e) {
      System.err.println("prescient serve: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  gateway.close();
                  stopped.countDown();
                }));
    System.out.printf(
        "prescient serve: listening on http://%s:%d/v1/decisions?user_id=...&placement=..."
            + " (answers from %s, timeout %d ms); Ctrl-C stops%n",
        options.get(PrescientOptions.SERVE_BIND_ADDRESS),
        gateway.port(),
        options.get(PrescientOptions.TOPIC_RESPONSES),
        options.get(PrescientOptions.SERVE_TIMEOUT).toMillis());
    stopped.await();
  }
}
