package io.prescient.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka source deserializer that never fails: every record becomes an {@link Envelope}, valid or
 * rejected, so a poison record cannot restart the job in a loop.
 */
public class KafkaEnvelopeDeserializer implements KafkaRecordDeserializationSchema<Envelope> {
  private static final long serialVersionUID = 1L;
  private final InputParser parser;

  public KafkaEnvelopeDeserializer(InputParser parser) {
    this.parser = parser;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Envelope> out) {
    out.collect(
        parser.parse(
            record.key(),
            record.value(),
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp(),
            System.currentTimeMillis(),
            true));
  }

  @Override
  public TypeInformation<Envelope> getProducedType() {
    return TypeInformation.of(Envelope.class);
  }
}
