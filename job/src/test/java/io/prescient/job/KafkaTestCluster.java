package io.prescient.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real in-JVM Kafka cluster (KRaft, one combined node) with the helpers the ITCases need. */
final class KafkaTestCluster implements AutoCloseable {
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** SASL: the broker's super user (PLAIN), which the helpers here connect as. */
  static final String ADMIN = "plain-admin";

  static final String ADMIN_PASSWORD = "plain-admin-secret";

  private final KafkaClusterTestKit kit;

  /** What every client of the helpers needs besides the bootstrap servers (SASL credentials). */
  private final Map<String, String> clientSecurity;

  KafkaTestCluster() throws Exception {
    this(false);
  }

  /**
   * @param sasl a SASL_PLAINTEXT listener with the PLAIN and SCRAM-SHA-256 mechanisms and ACLs
   *     enforced (StandardAuthorizer), instead of PLAINTEXT
   */
  KafkaTestCluster(boolean sasl) throws Exception {
    TestKitNodes.Builder nodes =
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1);
    if (sasl) {
      nodes.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
      nodes.setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
    }
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build());
    if (sasl) {
      builder.setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
      clientSecurity =
          Map.of(
              "security.protocol",
              "SASL_PLAINTEXT",
              "sasl.mechanism",
              "PLAIN",
              "sasl.jaas.config",
              "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                  + ADMIN
                  + "\" password=\""
                  + ADMIN_PASSWORD
                  + "\";");
    } else {
      clientSecurity = Map.of();
    }
    kit =
        builder
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES))
            .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** Properties of a client of this cluster, as its super user. */
  Properties clientProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    p.putAll(clientSecurity);
    return p;
  }

  Admin admin() {
    return Admin.create(clientProperties());
  }

  void createTopics(int partitions, String... names) throws Exception {
    try (Admin admin = admin()) {
      List<NewTopic> topics = new ArrayList<>();
      for (String n : names) {
        topics.add(new NewTopic(n, partitions, (short) 1));
      }
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      // Until the broker serves every new partition: a producer writing before that can lose its
      // first batch (KAFKA-15591; see LocalKafkaBroker.awaitWritable in the tools).
      Map<TopicPartition, OffsetSpec> all = new HashMap<>();
      for (String n : names) {
        for (int i = 0; i < partitions; i++) {
          all.put(new TopicPartition(n, i), OffsetSpec.latest());
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.listOffsets(all).all().get(5, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    }
  }

  /** Sends records (key, value) to a topic, in order, and waits until all are acknowledged. */
  void produce(String topic, List<Map.Entry<String, byte[]>> records) throws Exception {
    Properties p = clientProperties();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_MESSAGE_BYTES));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Map.Entry<String, byte[]> r : records) {
        byte[] key = r.getKey() == null ? null : r.getKey().getBytes();
        producer.send(new ProducerRecord<>(topic, key, r.getValue())).get();
      }
    }
  }

  /**
   * Sends many records (key, value) to a topic, in order, without waiting for each one: for volume.
   * Fails if any was not acknowledged.
   */
  void produceUnacknowledged(String topic, List<Map.Entry<String, byte[]>> records)
      throws Exception {
    Properties p = clientProperties();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_MESSAGE_BYTES));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"); // keeps the order under retries
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    java.util.concurrent.atomic.AtomicReference<Exception> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Map.Entry<String, byte[]> r : records) {
        byte[] key = r.getKey() == null ? null : r.getKey().getBytes();
        producer.send(
            new ProducerRecord<>(topic, key, r.getValue()),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /** Reads every committed record of a topic from the beginning, up to its current end. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = clientProperties();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    kit.close();
  }
}
