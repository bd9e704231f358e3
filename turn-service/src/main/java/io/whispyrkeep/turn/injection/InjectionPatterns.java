package io.whispyrkeep.turn.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The prompt-injection patterns, loaded once from a YAML resource (default {@link #LOCATION}):
 * data, so that a new attack phrase is one entry with its own examples, not a code change. Loading
 * fails fast on a duplicate or malformed name, an unknown language or a pattern RE2/J cannot
 * compile.
 */
public final class InjectionPatterns {

  /** Classpath location of the default patterns. */
  public static final String LOCATION = "injection-patterns.yaml";

  private static final Set<String> LANGUAGES =
      Set.of("any", "en", "es", "fr", "de", "pt", "it", "ru", "zh", "ja", "ko", "ar", "nl", "hr");

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,63}");

  private final List<InjectionPattern> all;

  private InjectionPatterns(List<InjectionPattern> all) {
    this.all = List.copyOf(all);
  }

  /** The default patterns from {@link #LOCATION}. */
  public static InjectionPatterns load() {
    try (InputStream in = InjectionPatterns.class.getClassLoader().getResourceAsStream(LOCATION)) {
      if (in == null) {
        throw new IllegalStateException(LOCATION + " is not on the classpath");
      }
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Patterns from a YAML document shaped like {@link #LOCATION}. */
  public static InjectionPatterns load(InputStream yaml) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    JsonNode entries = root == null ? null : root.get("patterns");
    if (entries == null || !entries.isArray() || entries.isEmpty()) {
      throw new IllegalStateException("injection patterns: no 'patterns' list");
    }
    List<InjectionPattern> patterns = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode entry : entries) {
      String name = entry.path("name").asText("");
      if (!NAME.matcher(name).matches() || !names.add(name)) {
        throw new IllegalStateException("injection patterns: bad or duplicate name '" + name + "'");
      }
      String language = entry.path("lang").asText("");
      if (!LANGUAGES.contains(language)) {
        throw new IllegalStateException("injection pattern " + name + ": unknown lang");
      }
      List<String> alternatives = strings(entry.get("regex"));
      if (alternatives.isEmpty()) {
        throw new IllegalStateException("injection pattern " + name + ": no regex");
      }
      for (String alternative : alternatives) {
        if (hasUnboundedRepetition(alternative)) {
          throw new IllegalStateException(
              "injection pattern " + name + ": unbounded repetition (use {m,n}): " + alternative);
        }
      }
      List<String> keywords = strings(entry.get("keywords"));
      if (keywords.isEmpty() || keywords.stream().anyMatch(String::isEmpty)) {
        throw new IllegalStateException("injection pattern " + name + ": no keywords");
      }
      Pattern regex;
      try {
        regex =
            Pattern.compile(
                "(?:"
                    + String.join(
                        ")|(?:",
                        alternatives.stream().map(InjectionPatterns::spaceOrBreak).toList())
                    + ")");
      } catch (PatternSyntaxException e) {
        throw new IllegalStateException(
            "injection pattern " + name + ": invalid RE2/J syntax: " + e.getMessage(), e);
      }
      patterns.add(
          new InjectionPattern(
              name,
              language,
              keywords,
              regex,
              strings(entry.get("matches")),
              strings(entry.get("ignores"))));
    }
    return new InjectionPatterns(patterns);
  }

  /**
   * {@code regex} with each literal space also matching a line break: normalised text has no other
   * whitespace, and "ignore all\nprevious instructions" must match like the one-line form. Inside a
   * character class a space gains a {@code \n}; outside, it becomes {@code [ \n]}.
   */
  static String spaceOrBreak(String regex) {
    StringBuilder out = new StringBuilder(regex.length() + 16);
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        out.append(c).append(regex.charAt(++i));
      } else if (c == ' ') {
        out.append(inClass ? " \\n" : "[ \\n]");
      } else {
        if (inClass && c == ']') {
          inClass = false;
        } else if (!inClass && c == '[') {
          inClass = true;
          out.append(c);
          if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') {
            out.append(regex.charAt(++i));
          }
          if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
            out.append(regex.charAt(++i));
          }
          continue;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Whether {@code regex} has {@code *}, {@code +} or {@code {m,}} outside a character class: a
   * match could then be longer than the window the detector searches around a keyword.
   */
  static boolean hasUnboundedRepetition(String regex) {
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++; // the escaped character, e.g. \+ or \p (its {L} is skipped below)
        if (i < regex.length() && (regex.charAt(i) == 'p' || regex.charAt(i) == 'P')) {
          int close = regex.indexOf('}', i);
          if (i + 1 < regex.length() && regex.charAt(i + 1) == '{' && close > 0) {
            i = close;
          }
        }
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
          i++;
        }
      } else if (c == '*' || c == '+') {
        return true;
      } else if (c == '{') {
        int close = regex.indexOf('}', i);
        if (close > 0 && regex.substring(i, close).endsWith(",")) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (node.isArray()) {
      node.forEach(value -> values.add(value.asText()));
    } else {
      values.add(node.asText());
    }
    return values;
  }

  /** Every pattern, in file order. */
  public List<InjectionPattern> all() {
    return all;
  }
}
