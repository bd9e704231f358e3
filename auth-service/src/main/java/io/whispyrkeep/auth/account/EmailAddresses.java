package io.whispyrkeep.auth.account;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Email normalisation: trimmed, domain lower-cased (and IDN to ASCII), local part kept as typed for
 * display. Accounts are nevertheless unique and found case-insensitively, local part included (RFC
 * 5321 lets a server treat it as case-sensitive, but no provider players use does, so {@code
 * Bob@x.com} and {@code bob@x.com} are one mailbox and must be one account). Validation is
 * deliberately plain: one @, a sane local part, a dotted domain, at most 254 characters.
 */
public final class EmailAddresses {

  /** Longest address (RFC 5321 path limit). */
  public static final int MAX_LENGTH = 254;

  private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}");
  private static final Pattern DOMAIN =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

  private EmailAddresses() {}

  /** The normalised address, or empty when it is not a valid address. */
  public static Optional<String> normalise(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String trimmed = raw.trim();
    int at = trimmed.lastIndexOf('@');
    if (at <= 0 || at != trimmed.indexOf('@') || trimmed.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String local = trimmed.substring(0, at);
    String domain;
    try {
      domain = IDN.toASCII(trimmed.substring(at + 1)).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!LOCAL.matcher(local).matches()
        || local.startsWith(".")
        || local.endsWith(".")
        || local.contains("..")
        || !DOMAIN.matcher(domain).matches()) {
      return Optional.empty();
    }
    return Optional.of(local + "@" + domain);
  }
}
