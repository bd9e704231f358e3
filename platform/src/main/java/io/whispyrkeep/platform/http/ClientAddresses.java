package io.whispyrkeep.platform.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The one place auth-service turns a request's client address into the key its per-address counters
 * (rate limits, per-address locks) are kept under. An IPv4 address is its own key; an IPv6 address
 * is grouped by its /64, written {@code 2001:db8:1:2::/64}: a single IPv6 subscriber usually holds
 * a whole /64 (RFC 6177), so counting per /128 would give one attacker 2^64 fresh addresses.
 * IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
public final class ClientAddresses {

  /** The key of requests whose address is unknown (no peer): they share one bucket. */
  public static final String UNKNOWN = "unknown";

  /** Prefix length IPv6 addresses are grouped by. */
  public static final int IPV6_PREFIX = 64;

  private ClientAddresses() {}

  /** The counter key of the request's client address (see the class comment). */
  public static String key(RequestMetadata meta) {
    return key(meta == null ? null : meta.clientIp());
  }

  /** The counter key of a client address literal; never resolves a host name. */
  public static String key(String clientIp) {
    if (clientIp == null || clientIp.isBlank()) {
      return UNKNOWN;
    }
    if (clientIp.indexOf(':') < 0) {
      return clientIp.length() > 45 ? clientIp.substring(0, 45) : clientIp;
    }
    String literal = clientIp;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1); // as X-Forwarded-For may write it
    }
    int zone = literal.indexOf('%');
    if (zone >= 0) {
      literal = literal.substring(0, zone);
    }
    if (literal.length() > 45 || !isAddressLiteral(literal)) {
      return UNKNOWN;
    }
    try {
      // Only hex digits, ':' and '.', starting with a hex digit or ':': the JDK parses such a
      // string as an address literal and never looks it up as a host name.
      InetAddress address = InetAddress.getByName(literal);
      if (address instanceof Inet4Address) {
        return address.getHostAddress();
      }
      if (address instanceof Inet6Address) {
        byte[] bytes = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(bytes, IPV6_PREFIX / 8, 16, (byte) 0);
        return compress(bytes) + "/" + IPV6_PREFIX;
      }
    } catch (UnknownHostException | IllegalArgumentException e) {
      return UNKNOWN;
    }
    return UNKNOWN;
  }

  private static boolean isAddressLiteral(String text) {
    if (text.isEmpty() || (!isHex(text.charAt(0)) && text.charAt(0) != ':')) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isHex(c) && c != ':' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** ASCII hex digits only ({@link Character#digit} also accepts other scripts' digits). */
  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** The network address of a key, as an address literal ({@code 2001:db8:1:2::} for a /64). */
  public static String networkAddress(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  /** The first four groups of a /64 network, then {@code ::}. */
  private static String compress(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (int group = 0; group < IPV6_PREFIX / 16; group++) {
      int value = ((bytes[2 * group] & 0xff) << 8) | (bytes[2 * group + 1] & 0xff);
      text.append(Integer.toHexString(value)).append(':');
    }
    return text.append(':').toString();
  }
}
