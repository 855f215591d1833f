package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Rejection;
import io.prescient.state.profile.ActivityWindows;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.UserProfile;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type kept in state or sent between operators is a Flink POJO whose serializer can be built
 * with generic types disabled: nothing falls back to Kryo, and POJO schema evolution applies.
 * (Envelope and the profile have serializers of their own: EnvelopeSerializerTest,
 * UserProfileSerializerTest.)
 */
class StateTypesTest {
  @ParameterizedTest
  @ValueSource(
      classes = {
        UserProfile.class,
        ActivityWindows.class,
        CartLine.class,
        Affinity.class,
        Decision.class,
        Rejection.class,
        AuditRecord.class
      })
  void isAPojoWithoutKryo(Class<?> type) {
    TypeInformation<?> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    assertThat(info.createSerializer(config)).isNotNull();
  }
}
