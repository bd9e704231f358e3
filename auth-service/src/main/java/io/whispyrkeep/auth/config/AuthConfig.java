package io.whispyrkeep.auth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** auth-service settings. Secrets (keys, client secrets, admin password) come from files or env. */
@ConfigMapping(prefix = "whispyrkeep.auth")
public interface AuthConfig {

  Token token();

  Refresh refresh();

  Lockout lockout();

  RateLimit rateLimit();

  Hashing hashing();

  Signing signing();

  /** Service clients for the client-credentials grant, by client id. */
  Map<String, Client> clients();

  Exchange exchange();

  BootstrapAdmin bootstrapAdmin();

  /** Base URL clients reach auth-service at (the ingress), for the discovery document. */
  @WithDefault("http://127.0.0.1:8080")
  String publicBaseUrl();

  /** Access tokens. */
  interface Token {
    /**
     * Lifetime of access tokens. Default 15 minutes; start-up fails above 60 minutes (a stolen
     * token must expire soon; refresh tokens carry long sessions).
     */
    @WithDefault("15m")
    Duration accessTokenLifetime();

    /** Audiences of a player's access token: the services the web frontend calls. */
    @WithDefault("auth-service,keyvault-service,turn-service,audit-service")
    List<String> userAudiences();

    /**
     * PEM files (PKCS#8 RSA private keys, at least 2048 bits) whose public keys are published in
     * the JWKS. Mounted from a Kubernetes Secret in production; generated into .local/ locally.
     */
    List<Path> signingKeyFiles();

    /**
     * Key id (RFC 7638 thumbprint) of the key that signs new tokens. Default: the first file.
     * Rotation: add the new key, publish, then switch this; remove the old key after the longest
     * access-token lifetime.
     */
    Optional<String> activeKeyId();
  }

  /** Refresh tokens. */
  interface Refresh {
    /** A refresh token unused this long expires. Default 24 h. */
    @WithDefault("24h")
    Duration idleExpiry();

    /** A login's family of refresh tokens ends this long after login, used or not. Default 7 d. */
    @WithDefault("7d")
    Duration absoluteExpiry();
  }

  /**
   * Brute-force protection (OWASP ASVS 5.0 V6.3.1; Keycloak's brute-force detector; OWASP's "device
   * cookies" against malicious lockout).
   */
  interface Lockout {
    /** Consecutive failures on one account that raise auth.alert.failed_logins. Default 5. */
    @WithDefault("5")
    int alertThreshold();

    /**
     * Consecutive failures from one address (IPv6: one /64) that lock the account for that address
     * only. Default 5.
     */
    @WithDefault("5")
    int addressThreshold();

    /** First lock for one address; doubles with each further failure. Default 1 minute. */
    @WithDefault("1m")
    Duration addressInitialLock();

    /** Longest lock for one address. Default 15 minutes. */
    @WithDefault("15m")
    Duration addressMaxLock();

    /**
     * Failures from any address within {@link #accountWindow()}, counted since the account-wide
     * protection last started, that put the account under attack: then only its known devices (a
     * valid device token) may sign in. Default 20.
     */
    @WithDefault("20")
    int accountThreshold();

    /** Window for {@link #accountThreshold()}. Default 12 hours. */
    @WithDefault("12h")
    Duration accountWindow();

    /** How long the account-wide protection lasts. Default 15 minutes. */
    @WithDefault("15m")
    Duration accountLock();

    /**
     * Keep the account-wide protection on until an admin unlocks, instead of for {@link
     * #accountLock()}. Known devices still sign in. Default false.
     */
    @WithDefault("false")
    boolean permanent();

    /**
     * Lifetime of a device token, renewed at each successful sign-in. Default 90 days (a player who
     * signs in at least once a quarter keeps the device known).
     */
    @WithDefault("90d")
    Duration deviceTokenLifetime();
  }

  /**
   * Per client address limits, counted by the platform's {@code RateLimiter} in PostgreSQL so all
   * replicas share them (its reporting is configured under {@code whispyrkeep.rate-limit}).
   */
  interface RateLimit {
    /** Login attempts per address per minute. Default 30 (many players share one NAT). */
    @WithDefault("30")
    int loginPerMinute();

    /** Registrations per address per minute. Default 30. */
    @WithDefault("30")
    int registerPerMinute();
  }

  /** argon2id parameters and the bound on concurrent hashing. */
  interface Hashing {
    /** Memory in KiB. Default 19456 (19 MiB, OWASP Password Storage Cheat Sheet). */
    @WithDefault("19456")
    int memoryKib();

    /** Iterations. Default 2 (OWASP). */
    @WithDefault("2")
    int iterations();

    /** Parallelism. Default 1 (OWASP). */
    @WithDefault("1")
    int parallelism();

    /**
     * Hashes computed at once. Default 2: one per core of the reference machine; each holds {@link
     * #memoryKib()} of memory, so this also bounds hashing memory (2 x 19 MiB).
     */
    @WithDefault("2")
    int maxConcurrent();

    /** Hashes waiting for a thread; beyond this, logins get 503 with Retry-After. Default 200. */
    @WithDefault("200")
    int queueCapacity();
  }

  /** The bound on concurrent RS256 signing of access tokens (off the event loop). */
  interface Signing {
    /**
     * Tokens signed at once. Default 2: one per core of the reference machine (an RSA-3072
     * signature is a few milliseconds of CPU, so more threads than cores only add waiting).
     */
    @WithDefault("2")
    int maxConcurrent();

    /**
     * Signatures waiting for a thread; beyond this, login, refresh and the token endpoint answer
     * 503 with Retry-After. Default 500.
     */
    @WithDefault("500")
    int queueCapacity();
  }

  /** OAuth 2.0 Token Exchange (RFC 8693): delegated tokens a service gets for a player. */
  interface Exchange {
    /**
     * Longest lifetime of a delegated token; it also never outlives the player's token it was
     * exchanged for. Default 5 minutes; start-up fails above 5 minutes (a delegated token is for
     * one call on the player's behalf, not a session).
     */
    @WithDefault("5m")
    Duration tokenLifetime();
  }

  /** One service client. */
  interface Client {
    /** Hex SHA-256 of the client secret (secrets are 256-bit random, so a fast hash suffices). */
    String secretSha256();

    /** Services this client may call: the audiences of its tokens. */
    List<String> audiences();

    /** What this client may obtain by token exchange; by default nothing. */
    ExchangeGrant exchange();
  }

  /**
   * The token exchanges one client may perform: each delegated token names one of these audiences
   * and a subset of these scopes. A client with no audience or no scope may not exchange at all.
   */
  interface ExchangeGrant {
    /** Audiences the client may request (one per exchange). Default none. */
    Optional<Set<String>> audiences();

    /** Scopes the client may request (RFC 6749 scope tokens). Default none. */
    Optional<Set<String>> scopes();
  }

  /** The first admin, created at start-up when no account has this email. */
  interface BootstrapAdmin {
    Optional<String> email();

    Optional<String> password();
  }
}
