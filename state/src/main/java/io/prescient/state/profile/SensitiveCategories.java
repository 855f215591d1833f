package io.prescient.state.profile;

import java.io.Serializable;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Categories that are never used: a category is sensitive when any of its words (split on
 * non-alphanumerics, case-insensitive) is a configured word, so {@code health_beauty} and {@code
 * books.religion} are sensitive with the defaults.
 */
public final class SensitiveCategories implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Set<String> DEFAULTS = Set.of("health", "religion", "politics");

  /** Answers for categories seen so far: a catalog's categories are few, every event asks. */
  private static final int MEMO_LIMIT = 10_000;

  private final Set<String> words = new TreeSet<>();
  private transient Map<String, Boolean> memo;

  public SensitiveCategories(Collection<String> words) {
    for (String w : words) {
      String t = w.strip().toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) {
        this.words.add(t);
      }
    }
  }

  public boolean isSensitive(String category) {
    if (category == null || words.isEmpty()) {
      return false;
    }
    Map<String, Boolean> known = memo;
    if (known == null) {
      known = memo = new ConcurrentHashMap<>();
    }
    Boolean answer = known.get(category);
    if (answer == null) {
      answer = containsWord(category);
      if (known.size() < MEMO_LIMIT) {
        known.put(category, answer);
      }
    }
    return answer;
  }

  private boolean containsWord(String category) {
    for (String token : category.toLowerCase(Locale.ROOT).split("[^\\p{Alnum}]+")) {
      if (words.contains(token)) {
        return true;
      }
    }
    return false;
  }

  public Set<String> words() {
    return words;
  }
}
