package io.prescient.state.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The profile operator's cache hands out copies of the browse session and the order history: a copy
 * must carry every field, including one added later.
 */
class CopyTest {
  @Test
  void aBrowseSessionCopyHasEveryField() throws Exception {
    assertCopiesEveryField(new BrowseSession(), BrowseSession::copy);
  }

  @Test
  void anOrderHistoryCopyHasEveryField() throws Exception {
    assertCopiesEveryField(new LifecycleState(), LifecycleState::copy);
  }

  private static <T> void assertCopiesEveryField(T original, UnaryOperator<T> copy)
      throws Exception {
    int n = 0;
    for (Field f : original.getClass().getFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      n++;
      Class<?> t = f.getType();
      if (t == long.class) {
        f.setLong(original, 1000L + n);
      } else if (t == int.class) {
        f.setInt(original, 100 + n);
      } else if (t == double.class) {
        f.setDouble(original, 0.5 + n);
      } else if (t == boolean.class) {
        f.setBoolean(original, true);
      } else if (t == String.class) {
        f.set(original, "v" + n);
      } else {
        throw new AssertionError("a field of a type this test does not fill: " + f);
      }
    }
    T c = copy.apply(original);
    assertThat(c).isNotSameAs(original);
    assertThat(c).usingRecursiveComparison().isEqualTo(original);
    assertThat(n).isPositive();
  }
}
