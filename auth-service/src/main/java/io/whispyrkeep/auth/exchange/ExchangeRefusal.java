package io.whispyrkeep.auth.exchange;

import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.platform.problem.ProblemException;

/**
 * Why a token exchange by an authenticated client was refused: the RFC 6749 / RFC 8693 error code
 * the client gets, and a finer reason that only the security event carries. Thrown by the pure
 * checks ({@link ExchangeRequest}, {@link SubjectTokenVerifier}) and turned into the problem once
 * the refusal is recorded.
 */
final class ExchangeRefusal extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The error codes a token exchange can end in (RFC 6749 section 5.2, RFC 8693 section 2.2.2). */
  enum Error {
    INVALID_REQUEST("invalid_request"),
    INVALID_GRANT("invalid_grant"),
    UNAUTHORIZED_CLIENT("unauthorized_client"),
    INVALID_TARGET("invalid_target"),
    INVALID_SCOPE("invalid_scope");

    private final String code;

    Error(String code) {
      this.code = code;
    }

    String code() {
      return code;
    }
  }

  private final Error error;
  private final String reason;
  private final String subject;

  /**
   * @param reason a fixed snake_case word for the event ({@code expired}, {@code
   *     foreign_issuer}...)
   * @param detail for {@code invalid_request} only: the fixed text the client is shown
   * @param subject the player's id once the subject token has been verified, else null
   */
  private ExchangeRefusal(Error error, String reason, String detail, String subject) {
    super(detail, null, false, false);
    this.error = error;
    this.reason = reason;
    this.subject = subject;
  }

  static ExchangeRefusal invalidRequest(String reason, String fixedDetail) {
    return new ExchangeRefusal(Error.INVALID_REQUEST, reason, fixedDetail, null);
  }

  static ExchangeRefusal invalidGrant(String reason) {
    return new ExchangeRefusal(Error.INVALID_GRANT, reason, null, null);
  }

  static ExchangeRefusal invalidGrant(String reason, String subject) {
    return new ExchangeRefusal(Error.INVALID_GRANT, reason, null, subject);
  }

  static ExchangeRefusal of(Error error, String reason) {
    return new ExchangeRefusal(error, reason, null, null);
  }

  Error error() {
    return error;
  }

  String reason() {
    return reason;
  }

  String subject() {
    return subject;
  }

  /** The problem+json the client gets: one stable type per error code. */
  ProblemException toProblem() {
    return switch (error) {
      case INVALID_REQUEST -> AuthProblems.invalidRequest(getMessage());
      case INVALID_GRANT -> AuthProblems.invalidGrant();
      case UNAUTHORIZED_CLIENT -> AuthProblems.unauthorizedClient();
      case INVALID_TARGET -> AuthProblems.invalidTarget();
      case INVALID_SCOPE -> AuthProblems.invalidScope();
    };
  }
}
