package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Every kind of envelope survives the wire exactly, and the serializer never needs Kryo. */
class EnvelopeSerializerTest {
  static TypeSerializer<Envelope> serializer() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return TypeInformation.of(Envelope.class).createSerializer(config);
  }

  static List<Envelope> everyKind() {
    List<Envelope> all = new ArrayList<>();
    Event full = new Event("e1", "u1", EventType.SUPPORT_TICKET, 1_300_000_000_123L);
    full.productId = "p1";
    full.category = "garden";
    full.price = 12.5;
    full.quantity = 3;
    full.dwellMs = 4_000L;
    full.channel = "web";
    full.device = "mobile";
    full.sentiment = -0.25;
    Envelope a = Envelope.of(full, "events", 3, 42);
    a.receivedAt = 1_700_000_000_000L;
    all.add(a);
    all.add(Envelope.of(new Event("e2", "ü-2", EventType.VIEW, -5), "events", 0, 0));
    all.add(Envelope.of(new Event(null, null, null, 0), null, 0, 0));
    all.add(
        Envelope.of(
            new PrivacyRequest("u1", PrivacyType.UNSUBSCRIBE, 7, List.of("email", "push")),
            "privacy",
            1,
            2));
    all.add(
        Envelope.of(
            new ModelAnnouncement("churn", "v3", "file:///m", "ab12", true), "models", 0, 9));
    all.add(Envelope.of(new Outcome("d1", "u1", OutcomeType.CLICKED, 11, 3.5), "outcomes", 0, 1));
    all.add(Envelope.of(new CatalogEntry("p1", "toys", 9.99, 0.3, true, false), "catalog", 0, 1));
    Envelope tombstone =
        Envelope.of(new CatalogEntry("p2", null, 0, 0, false, false), "catalog", 0, 2);
    tombstone.catalogDelete = true;
    all.add(tombstone);
    Rejection r = new Rejection();
    r.sourceTopic = "events";
    r.partition = 1;
    r.offset = 77;
    r.reason = RejectReason.MALFORMED_JSON;
    r.detail = "unexpected end";
    all.add(Envelope.of(r));
    return all;
  }

  private static byte[] bytes(TypeSerializer<Envelope> s, Envelope e) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(e, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void everyKindRoundTripsAndCopiesExactly() throws Exception {
    TypeSerializer<Envelope> s = serializer();
    assertThat(s).isInstanceOf(EnvelopeSerializer.class);
    for (Envelope e : everyKind()) {
      Envelope back = s.deserialize(new DataInputDeserializer(bytes(s, e)));
      assertThat(back).usingRecursiveComparison().isEqualTo(e);
      Envelope copy = s.copy(e);
      assertThat(copy).usingRecursiveComparison().isEqualTo(e);
      assertThat(copy).isNotSameAs(e);
      if (e.event != null) {
        assertThat(copy.event).isNotSameAs(e.event);
      }
    }
  }

  @Test
  void manyEnvelopesReadBackInSequence() throws Exception {
    TypeSerializer<Envelope> s = serializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    List<Envelope> all = everyKind();
    for (Envelope e : all) {
      s.serialize(e, out);
    }
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    for (Envelope e : all) {
      assertThat(s.deserialize(in)).usingRecursiveComparison().isEqualTo(e);
    }
    assertThat(in.available()).isZero();
  }

  @Test
  void itsSnapshotRestoresAnEqualSerializer() throws Exception {
    TypeSerializer<Envelope> s = serializer();
    TypeSerializerSnapshot<Envelope> snapshot = s.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    TypeSerializerSnapshot<Envelope> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(s);
    TypeSerializerSchemaCompatibility<Envelope> compat =
        s.snapshotConfiguration().resolveSchemaCompatibility(read);
    assertThat(compat.isCompatibleAsIs()).isTrue();
  }
}
