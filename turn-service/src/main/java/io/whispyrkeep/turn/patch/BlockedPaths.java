package io.whispyrkeep.turn.patch;

import java.util.ArrayList;
import java.util.List;

/**
 * Paths the narrator may never touch, as segment lists. The built-ins are the seed's {@code
 * /user/}, {@code /api_key} and {@code /password}; configuration adds more (e.g. {@code
 * /settings/llm}).
 *
 * <p>An operation on path P is blocked by a blocked path B when P and B agree on every segment they
 * both have, the last segment of B matching as a prefix (the seed's {@code startswith}):
 *
 * <ul>
 *   <li>P inside B: {@code /user/role}, {@code /user}, {@code /api_key_x}, {@code /passwords};
 *   <li>P above B, so replacing or removing P would replace or remove B: the root ({@code //} and
 *       other paths without a segment), and {@code /settings} when {@code /settings/llm} is
 *       blocked. A value written at P cannot create B's path without P being above it, so values
 *       need no separate check.
 * </ul>
 *
 * <p>Paths here are the narrator's, restricted to {@code [a-z_/]} by the schema: no {@code ~1} or
 * {@code %2f} escape, no look-alike letter, no upper case can spell a blocked name differently.
 */
public record BlockedPaths(List<List<String>> prefixes) {

  /** The seed's blocked paths. */
  public static final List<String> BUILT_IN = List.of("/user", "/api_key", "/password");

  public BlockedPaths {
    prefixes = prefixes.stream().map(List::copyOf).toList();
  }

  /** The built-ins plus {@code extra} (each {@code /a/b}, lower-case letters and underscores). */
  public static BlockedPaths of(List<String> extra) {
    List<List<String>> prefixes = new ArrayList<>();
    for (String path : BUILT_IN) {
      prefixes.add(segments(path));
    }
    for (String path : extra) {
      List<String> segments = segments(path);
      if (segments.isEmpty()
          || segments.stream()
              .anyMatch(s -> s.isEmpty() || !s.chars().allMatch(BlockedPaths::isPathChar))) {
        throw new IllegalArgumentException(
            "whispyrkeep.turn.patch.blocked-paths: '" + path + "' is not a path like /a/b_c");
      }
      prefixes.add(segments);
    }
    return new BlockedPaths(prefixes);
  }

  /** The built-ins only. */
  public static BlockedPaths builtIn() {
    return of(List.of());
  }

  static boolean isPathChar(int c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  }

  /** The non-empty segments of {@code path}: {@code //a/b/} gives [a, b]. */
  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  /** Whether an operation on the path with these (non-empty) segments is blocked. */
  public boolean isBlocked(List<String> segments) {
    for (List<String> blocked : prefixes) {
      if (covers(blocked, segments)) {
        return true;
      }
    }
    return false;
  }

  private static boolean covers(List<String> blocked, List<String> segments) {
    int shared = Math.min(blocked.size(), segments.size());
    for (int i = 0; i < shared; i++) {
      String segment = segments.get(i);
      String name = blocked.get(i);
      boolean last = i == blocked.size() - 1;
      if (last ? !segment.startsWith(name) : !segment.equals(name)) {
        return false;
      }
    }
    return true;
  }
}
