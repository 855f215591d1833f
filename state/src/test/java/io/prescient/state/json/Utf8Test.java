package io.prescient.state.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  @Test
  void acceptsWhatTheJdkEncodes() {
    String s = "ascii \u00e9 \u20ac \uD83D\uDE00 \u4e2d";
    assertThat(Utf8.firstInvalidByte(s.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
  }

  @Test
  void findsTheFirstBadSequence() {
    assertThat(Utf8.firstInvalidByte(new byte[] {'a', (byte) 0x80})).isEqualTo(1);
    assertThat(Utf8.firstInvalidByte(new byte[] {'a', 'b', (byte) 0xE2, (byte) 0x82}))
        .isEqualTo(2); // truncated three-byte sequence
    assertThat(Utf8.firstInvalidByte(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
        .isEqualTo(0); // encoded surrogate
    assertThat(Utf8.firstInvalidByte(new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, 0x41}))
        .isEqualTo(0); // above U+10FFFF
    assertThat(Utf8.firstInvalidByte(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}))
        .isEqualTo(0); // overlong
  }
}
