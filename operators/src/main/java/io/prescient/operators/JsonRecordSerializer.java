package io.prescient.operators;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records of one output topic: key = user id (UTF-8, may be null), value = JSON. The Kafka
 * record timestamp is the time of writing, not the event time: a replay of old events would
 * otherwise write records that time-based retention deletes at once (event time is in the JSON).
 */
public class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final SerializableFunction<T, String> key;
  private final SerializableFunction<T, byte[]> value;

  public JsonRecordSerializer(
      String topic, SerializableFunction<T, String> key, SerializableFunction<T, byte[]> value) {
    this.topic = topic;
    this.key = key;
    this.value = value;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T element, KafkaSinkContext context, Long timestamp) {
    String k = key.apply(element);
    return new ProducerRecord<>(
        topic,
        null,
        null, // the producer stamps the wall-clock time
        k == null ? null : k.getBytes(StandardCharsets.UTF_8),
        value.apply(element));
  }
}
