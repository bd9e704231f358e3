package io.whispyrkeep.turn.input;

import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import java.util.List;
import java.util.Map;

/**
 * A player's turn text that cannot be accepted: the only exception {@link TurnInputCleaner} throws.
 * It maps to a 400 {@code validation-failed} problem with one field error on {@code input}; its
 * message never repeats the text, and {@link #reason()} is a stable code for metrics and events.
 */
public final class TurnInputException extends ProblemException {

  private static final long serialVersionUID = 1L;

  /** Why a turn text was refused; {@link #code()} is stable once published. */
  public enum Reason {
    /** Nothing left after removing invisible characters and surrounding whitespace. */
    EMPTY("empty", "The turn is empty."),
    /** More code points than {@code whispyrkeep.turn.input.max-code-points} after cleaning. */
    TOO_LONG("too-long", "The turn is too long."),
    /** Not valid UTF-16: a lone surrogate, which no keyboard produces and UTF-8 cannot encode. */
    MALFORMED("malformed-text", "The turn contains invalid characters.");

    private final String code;
    private final String message;

    Reason(String code, String message) {
      this.code = code;
      this.message = message;
    }

    public String code() {
      return code;
    }

    public String message() {
      return message;
    }
  }

  private final Reason reason;

  public TurnInputException(Reason reason) {
    super(
        ProblemType.VALIDATION_FAILED.uri(),
        ProblemType.VALIDATION_FAILED.title(),
        ProblemType.VALIDATION_FAILED.status(),
        reason.message(),
        List.of(new Problem.FieldError("input", reason.message())),
        Map.of());
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
