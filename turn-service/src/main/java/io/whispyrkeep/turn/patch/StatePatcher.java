package io.whispyrkeep.turn.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.whispyrkeep.turn.patch.PatchRejection.Reason;
import java.time.Duration;
import java.util.EnumSet;

/**
 * Applies a narrator patch to a campaign: a pure function of (state, game time, patch) that returns
 * the new state and game time, or the rejection, and never changes what it was given. The patch is
 * validated first ({@link PatchValidator}); add, replace and remove then follow RFC 6902 through
 * zjsonpatch (strictly: removing a missing member fails, nothing is created implicitly), one after
 * the other on a copy, so a failure at any operation leaves nothing applied; {@code advance_time}
 * adds to the game time, which is kept outside the state. Thread-safe.
 */
public final class StatePatcher {

  /**
   * RFC 6902 as written: removing a member that does not exist is an error (zjsonpatch otherwise
   * ignores it); missing values are not read as null.
   */
  private static final EnumSet<CompatibilityFlags> RFC_6902 =
      EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

  private final PatchValidator validator;

  public StatePatcher(PatchValidator validator) {
    this.validator = validator;
  }

  /** With the default limits. */
  public static StatePatcher withDefaults() {
    return new StatePatcher(PatchValidator.withDefaults());
  }

  /**
   * The state and game time after {@code patchDocument}, or why it was refused.
   *
   * @param state the campaign state, a JSON object (not modified)
   * @param gameTime in-game time elapsed since the campaign began, not negative
   * @param patchDocument the narrator's {@code {"patches": [...]}} object, as parsed
   */
  public PatchOutcome apply(JsonNode state, Duration gameTime, JsonNode patchDocument) {
    checkArguments(state, gameTime);
    PatchValidation validation = validator.validate(patchDocument);
    if (validation instanceof PatchValidation.Invalid invalid) {
      return new PatchOutcome.Rejected(invalid.rejection());
    }
    return apply(state, gameTime, ((PatchValidation.Valid) validation).patch());
  }

  /**
   * As {@link #apply(JsonNode, Duration, JsonNode)}, for a patch this validator accepted (package
   * scope: a {@link ValidatedPatch} built by hand has not been checked).
   */
  PatchOutcome apply(JsonNode state, Duration gameTime, ValidatedPatch patch) {
    checkArguments(state, gameTime);
    JsonNode working = state.deepCopy();
    for (int i = 0; i < patch.operations().size(); i++) {
      PatchOperation operation = patch.operations().get(i);
      if (operation.op() == PatchOperation.Op.ADVANCE_TIME) {
        continue;
      }
      try {
        JsonPatch.applyInPlace(rfc6902(operation), working, RFC_6902);
      } catch (JsonPatchApplicationException | IllegalStateException e) {
        // The operation does not fit this state: its parent or target is missing (zjsonpatch's
        // JsonPatchApplicationException, InvalidJsonPatchException among them), or a member name
        // addresses an array (zjsonpatch throws IllegalStateException "Object operation on array
        // target"). Nothing applies.
        return rejected(Reason.APPLY_FAILED, i, operation.op().json() + " cannot be applied here");
      }
    }
    if (JsonSize.isLargerThan(working, validator.limits().maxStateBytes())) {
      return rejected(
          Reason.STATE_TOO_LARGE,
          -1,
          "the state would be larger than " + validator.limits().maxStateBytes() + " bytes");
    }
    Duration newTime;
    try {
      newTime = gameTime.plus(patch.timeAdvance());
    } catch (ArithmeticException e) {
      // Beyond Duration's range (about 292 billion years): refused like any bad time.
      return rejected(Reason.BAD_TIME, -1, "the game time would overflow");
    }
    return new PatchOutcome.Applied(working, newTime, patch);
  }

  private static void checkArguments(JsonNode state, Duration gameTime) {
    if (state == null || !state.isObject()) {
      throw new IllegalArgumentException("the campaign state must be a JSON object");
    }
    if (gameTime == null || gameTime.isNegative()) {
      throw new IllegalArgumentException("the game time must be zero or positive");
    }
  }

  private static ArrayNode rfc6902(PatchOperation operation) {
    ObjectNode op = JsonNodeFactory.instance.objectNode();
    op.put("op", operation.op().json());
    op.put("path", operation.path());
    if (operation.value() != null) {
      op.set("value", operation.value());
    }
    return JsonNodeFactory.instance.arrayNode().add(op);
  }

  private static PatchOutcome rejected(Reason reason, int operation, String detail) {
    return new PatchOutcome.Rejected(PatchRejection.of(reason, operation, detail));
  }
}
