package io.whispyrkeep.turn.patch;

/** The verdict of {@link PatchValidator#validate}: a patch ready to apply, or why there is none. */
public sealed interface PatchValidation {

  /** The patch is within every limit and touches no blocked path. */
  record Valid(ValidatedPatch patch) implements PatchValidation {}

  /** The patch is refused as a whole. */
  record Invalid(PatchRejection rejection) implements PatchValidation {}

  default boolean isValid() {
    return this instanceof Valid;
  }
}
