package io.whispyrkeep.auth.client;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates a service client at the token endpoint (RFC 6749 section 2.3.1, HTTP Basic) for
 * every grant it uses. Secrets are compared as SHA-256 digests in constant time, and an unknown
 * client id costs the same digest as a known one (client ids are not secret, but the answer should
 * not depend on them); a failure is recorded as {@code auth.client_auth_failure} and answered with
 * 401 {@code invalid_client}.
 */
@ApplicationScoped
public class ClientAuthenticator {

  /** An authenticated client: its id and its configuration. */
  public record AuthenticatedClient(String id, AuthConfig.Client config) {}

  private final AuthConfig config;
  private final SecurityEvents events;

  ClientAuthenticator(AuthConfig config, SecurityEvents events) {
    this.config = config;
    this.events = events;
  }

  /** The client named in the Basic {@code authorization} header, or a 401 invalid_client. */
  public Uni<AuthenticatedClient> authenticate(String authorization, RequestMetadata meta) {
    Optional<AuthenticatedClient> authenticated = verified(authorization);
    if (authenticated.isPresent()) {
      return Uni.createFrom().item(authenticated.get());
    }
    String[] credentials = basicCredentials(authorization);
    String clientId = credentials == null ? null : credentials[0];
    return Panache.withTransaction(
            () ->
                events.record(
                    AuthEvents.CLIENT_AUTH_FAILURE,
                    Severity.WARNING,
                    null,
                    clientId,
                    Map.of(),
                    meta))
        .chain(() -> Uni.createFrom().failure(AuthProblems.invalidClient()));
  }

  /**
   * The client whose credentials the Basic {@code authorization} header carries, or empty; records
   * nothing (a failure is {@link #authenticate}'s to record). Costs one SHA-256 digest.
   */
  public Optional<AuthenticatedClient> verified(String authorization) {
    String[] credentials = basicCredentials(authorization);
    AuthConfig.Client client = credentials == null ? null : config.clients().get(credentials[0]);
    boolean matches = credentials != null && secretMatches(client, credentials[1]);
    return client != null && matches
        ? Optional.of(new AuthenticatedClient(credentials[0], client))
        : Optional.empty();
  }

  /** [id, secret] from a Basic header, or null when absent or malformed. */
  static String[] basicCredentials(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon <= 0
          ? null
          : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Whether the secret's digest is the client's. The digest is computed before anything else, so an
   * unknown client id costs what a known one does.
   */
  private static boolean secretMatches(AuthConfig.Client client, String secret) {
    byte[] presented;
    try {
      presented =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
    if (client == null) {
      return false;
    }
    try {
      return MessageDigest.isEqual(
          presented, HexFormat.of().parseHex(client.secretSha256().trim()));
    } catch (IllegalArgumentException e) {
      // Not hex (the "none" placeholder of a client without a configured secret): nobody matches.
      return false;
    }
  }
}
