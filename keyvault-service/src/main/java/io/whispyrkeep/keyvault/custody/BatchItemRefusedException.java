package io.whispyrkeep.keyvault.custody;

/**
 * A batch call refused as a whole because the item at {@link #index()} is refused: batches are all
 * or nothing, so a caller never mistakes a missing result for a success. The index (the first
 * refused item's, in the order given) lets a caller set that item aside and send the rest again.
 */
public class BatchItemRefusedException extends CiphertextRefusedException {

  private static final long serialVersionUID = 1L;

  private final int index;

  public BatchItemRefusedException(int index, Reason reason) {
    super(reason, "batch item " + index);
    this.index = index;
  }

  /** Position of the refused item in the batch, from 0. */
  public int index() {
    return index;
  }
}
