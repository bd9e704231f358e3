package io.whispyrkeep.platform.http;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for a request's client address: the peer's own address, unless the peer is a
 * configured trusted proxy; then {@code X-Forwarded-For} is walked from the right, skipping only
 * trusted proxies, and the first untrusted hop is the client. Each proxy appends the address it
 * saw, so only the right end of the header was written by proxies we trust; everything left of the
 * first untrusted hop was written by the client and is never believed (OWASP, "IP address spoofing
 * via X-Forwarded-For"). A hop that is not an IP address ends the walk at the last trusted hop, so
 * garbage cannot choose an address either. Only IP literals and CIDRs are accepted: nothing here
 * ever resolves a host name.
 */
public final class ClientAddressResolver {

  /**
   * Most hops walked from the right; deeper chains end at the last trusted hop. Real deployments
   * have one or two proxies (ingress, maybe a cloud load balancer), so this bounds the work a huge
   * header can cause without ever mattering for honest traffic.
   */
  static final int DEFAULT_MAX_HOPS = 16;

  /** Longest hop considered: {@code [IPv6 with embedded IPv4]:port} fits well within it. */
  private static final int MAX_HOP_LENGTH = 64;

  private final List<Cidr> trusted;

  /**
   * @param trustedProxies IP addresses or CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8}); a host
   *     name, a malformed entry or a {@code /0} (which would trust every client) is refused
   */
  public ClientAddressResolver(List<String> trustedProxies) {
    List<Cidr> parsed = new ArrayList<>();
    for (String entry : trustedProxies) {
      if (!entry.isBlank()) {
        parsed.add(Cidr.parse(entry.trim()));
      }
    }
    this.trusted = List.copyOf(parsed);
  }

  /** Whether any proxy is trusted; with none, forwarding headers are never read. */
  public boolean trustsAnyProxy() {
    return !trusted.isEmpty();
  }

  /**
   * The client's address in canonical form (IPv6 as RFC 5952, IPv4-mapped IPv6 as IPv4), or null
   * when the peer has no IP address.
   *
   * @param peer the connection's remote address as an IP literal
   * @param forwardedFor every {@code X-Forwarded-For} header line, in the order received
   */
  public String resolve(String peer, List<String> forwardedFor) {
    InetAddress current = parseAddress(peer);
    if (current == null) {
      return null;
    }
    if (!isTrusted(current) || forwardedFor == null) {
      return format(current);
    }
    int hops = 0;
    for (int line = forwardedFor.size() - 1; line >= 0; line--) {
      String value = forwardedFor.get(line);
      int end = value.length();
      while (end >= 0) {
        int comma = value.lastIndexOf(',', end - 1);
        if (++hops > DEFAULT_MAX_HOPS) {
          return format(current);
        }
        InetAddress hop = parseHop(value, comma + 1, end);
        if (hop == null) {
          return format(current);
        }
        if (!isTrusted(hop)) {
          return format(hop);
        }
        current = hop;
        end = comma;
      }
    }
    return format(current);
  }

  /** Whether the address is one of the trusted proxies. */
  public boolean isTrusted(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Cidr cidr : trusted) {
      if (cidr.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** One hop of the header: an address, optionally bracketed (IPv6) and with a port. */
  private static InetAddress parseHop(String header, int start, int end) {
    String hop = header.substring(start, Math.max(start, end)).strip();
    if (hop.isEmpty() || hop.length() > MAX_HOP_LENGTH) {
      return null;
    }
    if (hop.charAt(0) == '[') {
      int close = hop.indexOf(']');
      if (close < 0 || !isPortSuffix(hop, close + 1)) {
        return null;
      }
      return parseAddress(hop.substring(1, close));
    }
    int colon = hop.indexOf(':');
    if (colon >= 0 && colon == hop.lastIndexOf(':')) {
      return isPortSuffix(hop, colon) ? parseAddress(hop.substring(0, colon)) : null;
    }
    return parseAddress(hop);
  }

  /** Nothing, or {@code :} and a port number (at most 65535). */
  private static boolean isPortSuffix(String hop, int from) {
    if (from == hop.length()) {
      return true;
    }
    int digits = hop.length() - from - 1;
    if (hop.charAt(from) != ':' || digits < 1 || digits > 5) {
      return false;
    }
    int port = 0;
    for (int i = from + 1; i < hop.length(); i++) {
      if (hop.charAt(i) < '0' || hop.charAt(i) > '9') {
        return false;
      }
      port = port * 10 + hop.charAt(i) - '0';
    }
    return port <= 65_535;
  }

  /** An IPv4 or IPv6 literal (a zone id is dropped), or null: never a DNS lookup. */
  static InetAddress parseAddress(String literal) {
    if (literal == null || literal.isEmpty() || literal.length() > MAX_HOP_LENGTH) {
      return null;
    }
    String address = literal;
    int zone = address.indexOf('%');
    if (zone >= 0) {
      address = address.substring(0, zone);
    }
    if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      return null;
    }
    try {
      // From raw bytes: no lookup; an IPv4-mapped IPv6 address comes back as IPv4.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String format(InetAddress address) {
    return NetUtil.toAddressString(address);
  }

  /** An address block: network bytes and prefix length. */
  static final class Cidr {

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
      this.network = network;
      this.prefix = prefix;
    }

    static Cidr parse(String entry) {
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress address = parseAddress(host);
      if (address == null) {
        throw new IllegalArgumentException(
            "trusted proxy '" + entry + "' is not an IP address or CIDR (host names are refused)");
      }
      byte[] bytes = address.getAddress();
      int bits = bytes.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String length = entry.substring(slash + 1);
        if (length.isEmpty()
            || length.length() > 3
            || !length.chars().allMatch(Character::isDigit)) {
          throw new IllegalArgumentException(
              "trusted proxy '" + entry + "' has an invalid prefix length");
        }
        prefix = Integer.parseInt(length);
      }
      if (prefix < 1 || prefix > bits) {
        throw new IllegalArgumentException(
            "trusted proxy '"
                + entry
                + "' must have a prefix length between 1 and "
                + bits
                + " (/0 would trust every client)");
      }
      return new Cidr(bytes, prefix);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }
}
