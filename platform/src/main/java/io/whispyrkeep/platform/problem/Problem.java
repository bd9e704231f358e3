package io.whispyrkeep.platform.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error response of the suite. {@code type} is a
 * stable URI that clients switch on; {@code detail} is for humans and never carries a secret, a
 * stack trace or whether an account exists.
 *
 * @param errors per-field violations for validation problems, else absent
 * @param error the RFC 6749 section 5.2 error code ({@code invalid_request}, {@code invalid_grant}
 *     ...) on OAuth endpoints, so OAuth clients find it where they look; else absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String requestId,
    List<FieldError> errors,
    String error) {

  /** The media type of problem details. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** One violated rule: where, and what is wrong, in words safe to show. */
  public record FieldError(String field, String message) {}
}
