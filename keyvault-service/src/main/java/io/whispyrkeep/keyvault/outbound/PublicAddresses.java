package io.whispyrkeep.keyvault.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Whether an address is a public unicast address that a player's own {@code baseUrl} may reach.
 * IPv4: every address except the special-purpose blocks of the IANA IPv4 Special-Purpose Address
 * Registry (RFC 6890 and updates), multicast (224/4) and the reserved 240/4 (which holds the
 * limited broadcast 255.255.255.255). IPv6: only global unicast 2000::/3 (RFC 4291), and within it
 * not the IETF protocol block 2001::/23 (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID), the
 * documentation blocks 2001:db8::/32 and 3fff::/20 (RFC 9637) or 6to4 2002::/16.
 *
 * <p>IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64
 * 64:ff9b::/96 and 64:ff9b:1::/48, 6to4, Teredo) are refused whatever the IPv4 address inside is:
 * no model provider needs them, and refusing them outright leaves no translation for an attacker to
 * exploit. (The JDK turns an IPv4-mapped address into the plain {@link Inet4Address}, which is then
 * checked, and connected to, as IPv4.)
 *
 * <p>A small table rather than a library: neither Guava nor commons-net is on this service's
 * classpath, and neither knows the special-purpose registry; the table is tested address by
 * address.
 */
final class PublicAddresses {

  /** IANA IPv4 special-purpose blocks, plus multicast and 240/4 (checked 2026). */
  private static final List<Cidr> IPV4_NOT_PUBLIC =
      List.of(
          Cidr.v4(0, 0, 0, 0, 8), // "this network", incl. 0.0.0.0 (RFC 791, 1122)
          Cidr.v4(10, 0, 0, 0, 8), // private (RFC 1918)
          Cidr.v4(100, 64, 0, 0, 10), // shared address space, carrier-grade NAT (RFC 6598)
          Cidr.v4(127, 0, 0, 0, 8), // loopback (RFC 1122)
          Cidr.v4(
              169, 254, 0, 0, 16), // link local, incl. cloud metadata 169.254.169.254 (RFC 3927)
          Cidr.v4(172, 16, 0, 0, 12), // private (RFC 1918)
          Cidr.v4(192, 0, 0, 0, 24), // IETF protocol assignments, incl. 192.0.0.192 (RFC 6890)
          Cidr.v4(192, 0, 2, 0, 24), // documentation TEST-NET-1 (RFC 5737)
          Cidr.v4(192, 31, 196, 0, 24), // AS112-v4 (RFC 7535)
          Cidr.v4(192, 52, 193, 0, 24), // AMT (RFC 7450)
          Cidr.v4(192, 88, 99, 0, 24), // deprecated 6to4 relay anycast (RFC 7526)
          Cidr.v4(192, 168, 0, 0, 16), // private (RFC 1918)
          Cidr.v4(192, 175, 48, 0, 24), // direct delegation AS112 (RFC 7534)
          Cidr.v4(198, 18, 0, 0, 15), // benchmarking (RFC 2544)
          Cidr.v4(198, 51, 100, 0, 24), // documentation TEST-NET-2 (RFC 5737)
          Cidr.v4(203, 0, 113, 0, 24), // documentation TEST-NET-3 (RFC 5737)
          Cidr.v4(224, 0, 0, 0, 4), // multicast (RFC 5771)
          Cidr.v4(240, 0, 0, 0, 4)); // reserved, incl. limited broadcast (RFC 1112, 919)

  /** Global unicast (RFC 4291 section 2.4): the only IPv6 block a provider can live in. */
  private static final Cidr IPV6_GLOBAL_UNICAST = Cidr.v6(new int[] {0x2000}, 3);

  private static final List<Cidr> IPV6_NOT_PUBLIC =
      List.of(
          Cidr.v6(
              new int[] {0x2001, 0x0000}, 23), // IETF protocol assignments, Teredo (RFC 2928, 4380)
          Cidr.v6(new int[] {0x2001, 0x0db8}, 32), // documentation (RFC 3849)
          Cidr.v6(new int[] {0x2002}, 16), // 6to4 (RFC 3056)
          Cidr.v6(new int[] {0x3fff, 0x0000}, 20)); // documentation (RFC 9637)

  private PublicAddresses() {}

  /** True only for a public unicast address (see the class comment); null is not public. */
  static boolean isPublic(InetAddress address) {
    if (address instanceof Inet4Address) {
      byte[] bytes = address.getAddress();
      for (Cidr cidr : IPV4_NOT_PUBLIC) {
        if (cidr.contains(bytes)) {
          return false;
        }
      }
      return true;
    }
    if (address instanceof Inet6Address) {
      if (((Inet6Address) address).getScopeId() != 0
          || ((Inet6Address) address).getScopedInterface() != null) {
        return false;
      }
      byte[] bytes = address.getAddress();
      if (!IPV6_GLOBAL_UNICAST.contains(bytes)) {
        return false;
      }
      for (Cidr cidr : IPV6_NOT_PUBLIC) {
        if (cidr.contains(bytes)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** A prefix of {@code bits} bits. */
  private record Cidr(byte[] prefix, int bits) {

    static Cidr v4(int a, int b, int c, int d, int bits) {
      return new Cidr(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, bits);
    }

    /** An IPv6 prefix from its leading 16-bit groups. */
    static Cidr v6(int[] groups, int bits) {
      byte[] prefix = new byte[16];
      for (int i = 0; i < groups.length; i++) {
        prefix[2 * i] = (byte) (groups[i] >>> 8);
        prefix[2 * i + 1] = (byte) groups[i];
      }
      return new Cidr(prefix, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }
}
