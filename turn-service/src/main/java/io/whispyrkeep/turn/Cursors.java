package io.whispyrkeep.turn;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page cursors: base64url of a tagged position ({@code c:<uuid>} for campaigns, {@code
 * t:<sequence>} for turns). Opaque to clients only by convention; what matters is that a cursor can
 * only narrow the caller's own list (every query still filters by owner), and that a cursor that is
 * not one of ours is a 400, never a 500.
 */
public final class Cursors {

  private Cursors() {}

  public static String campaign(UUID last) {
    return encode("c:" + last);
  }

  public static String turn(int lastSequence) {
    return encode("t:" + lastSequence);
  }

  /** The campaign id in {@code cursor}, null when there is none; 400 when it is not ours. */
  public static UUID campaignAfter(String cursor) {
    String value = decode(cursor, "c:");
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw TurnProblems.invalidCursor();
    }
  }

  /** The turn sequence in {@code cursor}, null when there is none; 400 when it is not ours. */
  public static Integer turnAfter(String cursor) {
    String value = decode(cursor, "t:");
    if (value == null) {
      return null;
    }
    try {
      int sequence = Integer.parseInt(value);
      if (sequence < 1) {
        throw TurnProblems.invalidCursor();
      }
      return sequence;
    } catch (NumberFormatException e) {
      throw TurnProblems.invalidCursor();
    }
  }

  private static String encode(String value) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String cursor, String tag) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    if (cursor.length() > 100) {
      throw TurnProblems.invalidCursor();
    }
    String value;
    try {
      value = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw TurnProblems.invalidCursor();
    }
    if (!value.startsWith(tag)) {
      throw TurnProblems.invalidCursor();
    }
    return value.substring(tag.length());
  }
}
