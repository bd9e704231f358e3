package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A narrator answer split into the prose the player reads and the state patch it carries.
 *
 * @param prose the answer without the patch block (and its code fence), trimmed; empty for a {@code
 *     too-large} answer, and only the text before the block when the block is unreadable
 * @param status what was found; {@link Status#PATCH} is the only one with a patch
 * @param patch the {@code {"patches": [...]}} object when {@code status} is {@link Status#PATCH},
 *     else null; parsed but not yet validated ({@code PatchValidator} does that)
 */
public record NarratorAnswer(String prose, Status status, JsonNode patch) {

  /** What the answer's patch block turned out to be; {@link #code()} is stable once published. */
  public enum Status {
    /** A well-formed patch object was found: validate and apply it. */
    PATCH("patch"),
    /** No patch block at all: the turn changes nothing in the state. Not an error. */
    NO_PATCH("no-patch"),
    /** A patch block that is not strict JSON (syntax, duplicate key): the turn changes nothing. */
    BAD_JSON("bad-json"),
    /** The answer or its patch block is beyond the configured size or nesting limits. */
    TOO_LARGE("too-large");

    private final String code;

    Status(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public NarratorAnswer {
    if ((status == Status.PATCH) != (patch != null)) {
      throw new IllegalArgumentException("a patch comes with status PATCH and only then");
    }
  }

  /** Whether there is a patch to validate and apply. */
  public boolean hasPatch() {
    return status == Status.PATCH;
  }
}
