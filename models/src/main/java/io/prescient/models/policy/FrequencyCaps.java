package io.prescient.models.policy;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frequency caps per channel, for example {@code email:1/1d,3/7d;push:2/1d,5/7d}: at most one email
 * per day and three per week, at most two pushes per day and five per week. A channel without caps
 * is not capped. Windows are sliding, in event time.
 */
public final class FrequencyCaps implements Serializable {
  private static final long serialVersionUID = 1L;

  /** At most {@code count} messages in any {@code windowMs}. */
  public record Cap(int count, long windowMs, String label) implements Serializable {}

  private final Map<String, List<Cap>> caps;

  private FrequencyCaps(Map<String, List<Cap>> caps) {
    this.caps = caps;
  }

  public List<Cap> of(String channel) {
    return caps.getOrDefault(channel, List.of());
  }

  /** The longest window of any cap: sends older than this can be forgotten. */
  public long longestWindowMs() {
    long max = 0;
    for (List<Cap> list : caps.values()) {
      for (Cap c : list) {
        max = Math.max(max, c.windowMs);
      }
    }
    return max;
  }

  public static FrequencyCaps parse(String spec) {
    Map<String, List<Cap>> caps = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return new FrequencyCaps(caps);
    }
    for (String channelSpec : spec.split(";")) {
      String[] parts = channelSpec.trim().split(":", 2);
      if (parts.length != 2 || parts[0].isBlank()) {
        throw bad(spec, "'" + channelSpec.trim() + "' is not channel:count/window,...");
      }
      List<Cap> list = new ArrayList<>();
      for (String c : parts[1].split(",")) {
        String[] cw = c.trim().split("/", 2);
        try {
          int count = Integer.parseInt(cw[0].trim());
          String label = cw[1].trim();
          long window = window(label);
          if (count < 0 || window <= 0) {
            throw bad(spec, "'" + c.trim() + "' needs a count >= 0 and a positive window");
          }
          list.add(new Cap(count, window, label));
        } catch (RuntimeException e) {
          if (e instanceof IllegalArgumentException && e.getMessage().startsWith("frequency")) {
            throw e;
          }
          throw bad(spec, "'" + c.trim() + "' is not count/window such as 3/7d");
        }
      }
      caps.put(parts[0].trim(), List.copyOf(list));
    }
    return new FrequencyCaps(caps);
  }

  private static long window(String label) {
    char unit = label.charAt(label.length() - 1);
    long n = Long.parseLong(label.substring(0, label.length() - 1));
    return switch (unit) {
      case 'm' -> Duration.ofMinutes(n).toMillis();
      case 'h' -> Duration.ofHours(n).toMillis();
      case 'd' -> Duration.ofDays(n).toMillis();
      default -> throw new IllegalArgumentException("unit");
    };
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException("frequency caps '" + spec + "': " + why);
  }
}
