package io.prescient.state.profile;

import java.io.Serializable;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Categories that are never used: a category is sensitive when any of its words (split on
 * non-alphanumerics, case-insensitive) is a configured word, so {@code health_beauty} and {@code
 * books.religion} are sensitive with the defaults.
 */
public final class SensitiveCategories implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Set<String> DEFAULTS = Set.of("health", "religion", "politics");

  private final Set<String> words = new TreeSet<>();

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
