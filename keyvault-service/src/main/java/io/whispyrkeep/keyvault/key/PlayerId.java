package io.whispyrkeep.keyvault.key;

import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The player a request acts for: the {@code sub} of a player's own token. A service token (role
 * {@code service}) or a delegated token ({@code act}) owns no keys and cannot manage any.
 */
public final class PlayerId {

  private PlayerId() {}

  public static String of(JsonWebToken jwt) {
    String subject = jwt.getSubject();
    if (subject == null
        || subject.isBlank()
        || subject.length() > 64
        || jwt.getGroups().contains("service")
        || jwt.containsClaim("act")) {
      throw new ProblemException(
          ProblemType.FORBIDDEN, "Only a player's own token can manage the player's keys.");
    }
    return subject;
  }
}
