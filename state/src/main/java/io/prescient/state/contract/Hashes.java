package io.prescient.state.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as the project uses it: hex digests of bytes, and ids from text parts. */
public final class Hashes {
  private Hashes() {}

  /** The SHA-256 of the bytes, 64 hex characters. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /**
   * An id: 32 hex characters, the first 128 bits of SHA-256 over the parts, each in UTF-8 and
   * separated by a 0 byte. The same parts always give the same id, on replay too.
   */
  public static String id(String... parts) {
    return HexFormat.of().formatHex(digest(parts), 0, 16);
  }

  /**
   * SHA-256 over the parts, each in UTF-8 and separated by a 0 byte (what {@link #id} shows the
   * first half of). Every decision takes a few: the digest is kept per thread, since looking one up
   * costs more than the hash of a short id.
   */
  public static byte[] digest(String... parts) {
    MessageDigest sha = PER_THREAD.get();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sha.update((byte) 0);
      }
      sha.update(String.valueOf(parts[i]).getBytes(StandardCharsets.UTF_8));
    }
    return sha.digest(); // and resets it
  }

  private static final ThreadLocal<MessageDigest> PER_THREAD =
      ThreadLocal.withInitial(Hashes::sha256);

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
