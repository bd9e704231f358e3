package io.whispyrkeep.turn.turn;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /campaigns/{id}/turns}. The text is cleaned and bounded by {@code TurnInputCleaner}
 * (10,000 code points after cleaning); the bound here only stops absurd input before any work (the
 * cleaner refuses more than 8 chars per allowed code point anyway).
 *
 * @param userInput what the player's character says or does
 */
public record SubmitTurnRequest(@NotNull @Size(max = 80_000) String userInput) {

  @Override
  public String toString() {
    return "SubmitTurnRequest[userInput=<" + (userInput == null ? 0 : userInput.length()) + ">]";
  }
}
