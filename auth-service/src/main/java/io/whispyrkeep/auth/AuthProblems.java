package io.whispyrkeep.auth;

import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** auth-service's problem types: stable URIs that clients can switch on. */
public final class AuthProblems {

  private AuthProblems() {}

  /** Wrong password, unknown email and locked account all look exactly like this. */
  public static ProblemException invalidCredentials() {
    return problem(
        "invalid-credentials",
        "Invalid credentials",
        401,
        "The email or password is incorrect, or the account cannot sign in right now.");
  }

  public static ProblemException invalidRefreshToken() {
    return problem(
        "invalid-refresh-token",
        "Invalid refresh token",
        401,
        "The refresh token is invalid, expired or revoked; sign in again.");
  }

  public static ProblemException invalidClient() {
    return oauth(
        "invalid-client", "Invalid client", 401, "Client authentication failed.", "invalid_client");
  }

  public static ProblemException unsupportedGrantType() {
    return oauth(
        "unsupported-grant-type",
        "Unsupported grant type",
        400,
        "Supported here: grant_type=client_credentials and"
            + " urn:ietf:params:oauth:grant-type:token-exchange.",
        "unsupported_grant_type");
  }

  /**
   * A token request that is missing, repeating or misusing a parameter. The detail is one of the
   * service's fixed texts, never the request's own.
   */
  public static ProblemException invalidRequest(String fixedDetail) {
    return oauth("invalid-request", "Invalid token request", 400, fixedDetail, "invalid_request");
  }

  /**
   * The subject token cannot be exchanged. One answer for every cause (expired, forged, foreign, a
   * service's or an already delegated token, a deleted account); the cause is in the event.
   */
  public static ProblemException invalidGrant() {
    return oauth(
        "invalid-grant",
        "Invalid grant",
        400,
        "The subject token is not a valid, current player access token meant for this client.",
        "invalid_grant");
  }

  /** The authenticated client is not allowed to use this grant at all. */
  public static ProblemException unauthorizedClient() {
    return oauth(
        "unauthorized-client",
        "Unauthorized client",
        400,
        "This client may not use token exchange.",
        "unauthorized_client");
  }

  public static ProblemException invalidTarget() {
    return oauth(
        "invalid-target",
        "Invalid target",
        400,
        "Name exactly one audience that this client may request a token for.",
        "invalid_target");
  }

  public static ProblemException invalidScope() {
    return oauth(
        "invalid-scope",
        "Invalid scope",
        400,
        "The scope is malformed or not one this client may request.",
        "invalid_scope");
  }

  public static ProblemException emailTaken() {
    return problem(
        "email-taken",
        "Email already registered",
        409,
        "An account with this email already exists.");
  }

  /** Separation of duties: an admin cannot change the roles of their own account. */
  public static ProblemException ownRoles() {
    return problem(
        "own-roles",
        "Cannot change own roles",
        403,
        "Roles of your own account can only be changed by another admin.");
  }

  /** The last admin cannot lose the role: the service would be left without one. */
  public static ProblemException lastAdmin() {
    return problem(
        "last-admin",
        "Last admin",
        409,
        "This is the only admin; grant the role to another account first.");
  }

  public static ProblemException userNotFound() {
    return new ProblemException(ProblemType.NOT_FOUND, "No such user.");
  }

  public static ProblemException invalidRegistration(List<Problem.FieldError> errors) {
    return new ProblemException(
        ProblemType.VALIDATION_FAILED.uri(),
        ProblemType.VALIDATION_FAILED.title(),
        400,
        "The registration is not valid.",
        errors,
        Map.of());
  }

  public static ProblemException rateLimited(long retryAfterSeconds) {
    return new ProblemException(
        ProblemType.RATE_LIMITED.uri(),
        ProblemType.RATE_LIMITED.title(),
        429,
        "Too many requests from this address; retry later.",
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  /** A problem of the token endpoint, carrying the RFC 6749 error code as {@code error}. */
  private static ProblemException oauth(
      String slug, String title, int status, String detail, String error) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + slug), title, status, detail, null, Map.of(), error);
  }

  private static ProblemException problem(String slug, String title, int status, String detail) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + slug), title, status, detail, null, Map.of());
  }
}
