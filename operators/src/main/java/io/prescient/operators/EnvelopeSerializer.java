package io.prescient.operators;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.DecisionRequest;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.Rejection;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link Envelope}, the record every source emits and the profile operator
 * receives: events, by far the most frequent payload, are written field by field (Flink's POJO
 * serializer sets every field by reflection, which was a fifth of the profile task's time); the
 * rarer payloads use their POJO serializers. Envelopes travel between operators only and are never
 * kept in state, so the format may change between versions; it still has a snapshot, as every
 * serializer must.
 *
 * <p>Format: a byte of flags (which payload is present), the source coordinates (topic, partition,
 * offset, receive time), then each present payload in flag order.
 */
public final class EnvelopeSerializer extends TypeSerializer<Envelope> {
  private static final long serialVersionUID = 1L;

  private static final int EVENT = 1;
  private static final int PRIVACY = 2;
  private static final int MODEL = 4;
  private static final int OUTCOME = 8;
  private static final int CATALOG = 16;
  private static final int REJECTION = 32;
  private static final int CATALOG_DELETE = 64;
  private static final int REQUEST = 128;
  private static final EventType[] TYPES = EventType.values();

  private final TypeSerializer<PrivacyRequest> privacy;
  private final TypeSerializer<ModelAnnouncement> model;
  private final TypeSerializer<Outcome> outcome;
  private final TypeSerializer<CatalogEntry> catalog;
  private final TypeSerializer<Rejection> rejection;

  EnvelopeSerializer(SerializerConfig config) {
    this(
        TypeInformation.of(PrivacyRequest.class).createSerializer(config),
        TypeInformation.of(ModelAnnouncement.class).createSerializer(config),
        TypeInformation.of(Outcome.class).createSerializer(config),
        TypeInformation.of(CatalogEntry.class).createSerializer(config),
        TypeInformation.of(Rejection.class).createSerializer(config));
  }

  @SuppressWarnings("unchecked")
  private EnvelopeSerializer(TypeSerializer<?>... nested) {
    this.privacy = (TypeSerializer<PrivacyRequest>) nested[0];
    this.model = (TypeSerializer<ModelAnnouncement>) nested[1];
    this.outcome = (TypeSerializer<Outcome>) nested[2];
    this.catalog = (TypeSerializer<CatalogEntry>) nested[3];
    this.rejection = (TypeSerializer<Rejection>) nested[4];
  }

  private TypeSerializer<?>[] nested() {
    return new TypeSerializer<?>[] {privacy, model, outcome, catalog, rejection};
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<Envelope> duplicate() {
    TypeSerializer<?>[] n = nested();
    TypeSerializer<?>[] d = new TypeSerializer<?>[n.length];
    boolean same = true;
    for (int i = 0; i < n.length; i++) {
      d[i] = n[i].duplicate();
      same &= d[i] == n[i];
    }
    return same ? this : new EnvelopeSerializer(d);
  }

  @Override
  public Envelope createInstance() {
    return new Envelope();
  }

  @Override
  public Envelope copy(Envelope from) {
    Envelope to = new Envelope();
    to.event = from.event == null ? null : copy(from.event);
    to.privacy = from.privacy == null ? null : privacy.copy(from.privacy);
    to.model = from.model == null ? null : model.copy(from.model);
    to.outcome = from.outcome == null ? null : outcome.copy(from.outcome);
    to.catalog = from.catalog == null ? null : catalog.copy(from.catalog);
    to.catalogDelete = from.catalogDelete;
    to.request = from.request == null ? null : copy(from.request);
    to.rejection = from.rejection == null ? null : rejection.copy(from.rejection);
    to.sourceTopic = from.sourceTopic;
    to.partition = from.partition;
    to.offset = from.offset;
    to.receivedAt = from.receivedAt;
    return to;
  }

  private static Event copy(Event from) {
    Event e = new Event(from.eventId, from.userId, from.type, from.timestamp);
    e.productId = from.productId;
    e.category = from.category;
    e.price = from.price;
    e.quantity = from.quantity;
    e.dwellMs = from.dwellMs;
    e.channel = from.channel;
    e.device = from.device;
    e.sentiment = from.sentiment;
    return e;
  }

  private static DecisionRequest copy(DecisionRequest from) {
    DecisionRequest r =
        new DecisionRequest(from.requestId, from.userId, from.placement, from.timestamp);
    r.context = new LinkedHashMap<>(from.context);
    return r;
  }

  @Override
  public Envelope copy(Envelope from, Envelope reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Envelope env, DataOutputView out) throws IOException {
    int flags =
        (env.event != null ? EVENT : 0)
            | (env.privacy != null ? PRIVACY : 0)
            | (env.model != null ? MODEL : 0)
            | (env.outcome != null ? OUTCOME : 0)
            | (env.catalog != null ? CATALOG : 0)
            | (env.rejection != null ? REJECTION : 0)
            | (env.catalogDelete ? CATALOG_DELETE : 0)
            | (env.request != null ? REQUEST : 0);
    out.writeByte(flags);
    StringValue.writeString(env.sourceTopic, out);
    out.writeInt(env.partition);
    out.writeLong(env.offset);
    out.writeLong(env.receivedAt);
    if (env.event != null) {
      writeEvent(env.event, out);
    }
    if (env.privacy != null) {
      privacy.serialize(env.privacy, out);
    }
    if (env.model != null) {
      model.serialize(env.model, out);
    }
    if (env.outcome != null) {
      outcome.serialize(env.outcome, out);
    }
    if (env.catalog != null) {
      catalog.serialize(env.catalog, out);
    }
    if (env.rejection != null) {
      rejection.serialize(env.rejection, out);
    }
    if (env.request != null) {
      writeRequest(env.request, out);
    }
  }

  @Override
  public Envelope deserialize(DataInputView in) throws IOException {
    int flags = in.readUnsignedByte();
    Envelope env = new Envelope();
    env.sourceTopic = StringValue.readString(in);
    env.partition = in.readInt();
    env.offset = in.readLong();
    env.receivedAt = in.readLong();
    if ((flags & EVENT) != 0) {
      env.event = readEvent(in);
    }
    if ((flags & PRIVACY) != 0) {
      env.privacy = privacy.deserialize(in);
    }
    if ((flags & MODEL) != 0) {
      env.model = model.deserialize(in);
    }
    if ((flags & OUTCOME) != 0) {
      env.outcome = outcome.deserialize(in);
    }
    if ((flags & CATALOG) != 0) {
      env.catalog = catalog.deserialize(in);
    }
    env.catalogDelete = (flags & CATALOG_DELETE) != 0;
    if ((flags & REJECTION) != 0) {
      env.rejection = rejection.deserialize(in);
    }
    if ((flags & REQUEST) != 0) {
      env.request = readRequest(in);
    }
    return env;
  }

  @Override
  public Envelope deserialize(Envelope reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  // Optional fields: a byte of flags says which are present.
  private static final int PRICE = 1;
  private static final int QUANTITY = 2;
  private static final int DWELL = 4;
  private static final int SENTIMENT = 8;

  private static void writeEvent(Event e, DataOutputView out) throws IOException {
    StringValue.writeString(e.eventId, out);
    StringValue.writeString(e.userId, out);
    out.writeByte(e.type == null ? 0 : e.type.ordinal() + 1);
    out.writeLong(e.timestamp);
    StringValue.writeString(e.productId, out);
    StringValue.writeString(e.category, out);
    StringValue.writeString(e.channel, out);
    StringValue.writeString(e.device, out);
    int present =
        (e.price != null ? PRICE : 0)
            | (e.quantity != null ? QUANTITY : 0)
            | (e.dwellMs != null ? DWELL : 0)
            | (e.sentiment != null ? SENTIMENT : 0);
    out.writeByte(present);
    if (e.price != null) {
      out.writeDouble(e.price);
    }
    if (e.quantity != null) {
      out.writeInt(e.quantity);
    }
    if (e.dwellMs != null) {
      out.writeLong(e.dwellMs);
    }
    if (e.sentiment != null) {
      out.writeDouble(e.sentiment);
    }
  }

  private static Event readEvent(DataInputView in) throws IOException {
    Event e = new Event();
    e.eventId = StringValue.readString(in);
    e.userId = StringValue.readString(in);
    int type = in.readUnsignedByte();
    e.type = type == 0 ? null : TYPES[type - 1];
    e.timestamp = in.readLong();
    e.productId = StringValue.readString(in);
    e.category = StringValue.readString(in);
    e.channel = StringValue.readString(in);
    e.device = StringValue.readString(in);
    int present = in.readUnsignedByte();
    if ((present & PRICE) != 0) {
      e.price = in.readDouble();
    }
    if ((present & QUANTITY) != 0) {
      e.quantity = in.readInt();
    }
    if ((present & DWELL) != 0) {
      e.dwellMs = in.readLong();
    }
    if ((present & SENTIMENT) != 0) {
      e.sentiment = in.readDouble();
    }
    return e;
  }

  private static void writeRequest(DecisionRequest r, DataOutputView out) throws IOException {
    StringValue.writeString(r.requestId, out);
    StringValue.writeString(r.userId, out);
    StringValue.writeString(r.placement, out);
    out.writeLong(r.timestamp);
    out.writeInt(r.context.size());
    for (Map.Entry<String, String> e : r.context.entrySet()) {
      StringValue.writeString(e.getKey(), out);
      StringValue.writeString(e.getValue(), out);
    }
  }

  private static DecisionRequest readRequest(DataInputView in) throws IOException {
    DecisionRequest r =
        new DecisionRequest(
            StringValue.readString(in),
            StringValue.readString(in),
            StringValue.readString(in),
            in.readLong());
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      r.context.put(StringValue.readString(in), StringValue.readString(in));
    }
    return r;
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof EnvelopeSerializer s
        && s.privacy.equals(privacy)
        && s.model.equals(model)
        && s.outcome.equals(outcome)
        && s.catalog.equals(catalog)
        && s.rejection.equals(rejection);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(nested());
  }

  @Override
  public TypeSerializerSnapshot<Envelope> snapshotConfiguration() {
    return new Snapshot(this);
  }

  /** The nested POJO serializers' snapshots; the event part has no configuration. */
  public static final class Snapshot
      extends CompositeTypeSerializerSnapshot<Envelope, EnvelopeSerializer> {
    public Snapshot() {}

    Snapshot(EnvelopeSerializer serializer) {
      super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return 1;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(EnvelopeSerializer outer) {
      return outer.nested();
    }

    @Override
    protected EnvelopeSerializer createOuterSerializerWithNestedSerializers(
        TypeSerializer<?>[] nested) {
      return new EnvelopeSerializer(nested);
    }
  }

  /** Flink's type information for {@link Envelope}: found through its {@code @TypeInfo}. */
  public static final class Info extends TypeInformation<Envelope> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<Envelope> getTypeClass() {
      return Envelope.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<Envelope> createSerializer(SerializerConfig config) {
      return new EnvelopeSerializer(config);
    }

    @Override
    public String toString() {
      return "Envelope";
    }

    @Override
    public boolean equals(Object obj) {
      return obj instanceof Info;
    }

    @Override
    public int hashCode() {
      return Info.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
      return obj instanceof Info;
    }
  }

  /** Referenced by {@code @TypeInfo} on {@link Envelope}. */
  public static final class Factory extends TypeInfoFactory<Envelope> {
    @Override
    public TypeInformation<Envelope> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new Info();
    }
  }
}
