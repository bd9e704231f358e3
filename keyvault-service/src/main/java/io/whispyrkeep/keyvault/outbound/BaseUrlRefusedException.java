package io.whispyrkeep.keyvault.outbound;

import java.util.Objects;

/**
 * A player-supplied {@code baseUrl} is refused: not a strict https URL, or it names (or resolves
 * to) an address that is not public. The message is the stable {@link Reason} only; it never echoes
 * the URL, the host or a resolved address. Reasons that need DNS collapse into {@link
 * Reason#NOT_PUBLIC}, so the answer cannot be used to learn what this service's resolver knows
 * (unresolvable, internal and timed-out names look the same).
 */
public class BaseUrlRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a base URL is refused; {@link #code()} is stable and may be shown to the player. */
  public enum Reason {
    /** Longer than {@link BaseUrlGuard#MAX_URL_LENGTH} characters. */
    TOO_LONG("too-long"),
    /** Not a URL {@link java.net.URI} accepts with a server-based authority, or empty. */
    MALFORMED("malformed"),
    /** Not {@code https}. */
    SCHEME("scheme"),
    /** Carries {@code user:password@}. */
    USERINFO("userinfo"),
    /** Carries a query or a fragment (a base URL has neither). */
    QUERY_OR_FRAGMENT("query-or-fragment"),
    /** Port other than 443 or 1024-65535, or spelled with an empty value or leading zeros. */
    PORT("port"),
    /** Path with characters outside {@code [A-Za-z0-9._~/-]}, dot or empty segments, too long. */
    PATH("path"),
    /**
     * The host is refused by its spelling: an internal name ({@code localhost}, single label,
     * {@code .internal}, {@code .local} ...), a trailing dot, a number in a form other than a
     * canonical dotted quad ({@code 2130706433}, {@code 0177.0.0.1}), a zone id or an IPv6 literal
     * that embeds IPv4.
     */
    HOST("host"),
    /**
     * The host is, or resolves to, at least one address that is not public; or it does not resolve
     * in time.
     */
    NOT_PUBLIC("not-public");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** Stable lower-case code, e.g. {@code not-public}. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public BaseUrlRefusedException(Reason reason) {
    super("base URL refused: " + Objects.requireNonNull(reason, "reason").code());
    this.reason = reason;
  }

  /** Why the URL is refused. */
  public Reason reason() {
    return reason;
  }
}
