package io.whispyrkeep.keyvault.outbound;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A player-supplied base URL after {@link BaseUrlGuard#check}: the normalised URL, its host as
 * written (lower-case ASCII, no brackets), its port, and every address the host resolved to, all of
 * them public. The connection goes to {@link #connectAddress()}; TLS is verified against {@link
 * #host()}.
 *
 * @param uri the normalised base URL (https, lower-case host, default port omitted, no trailing
 *     slash)
 * @param host the host name or address literal the certificate must match
 * @param port the TCP port
 * @param addresses the checked addresses, at least one, in the resolver's order
 */
public record ResolvedTarget(URI uri, String host, int port, List<InetAddress> addresses) {

  public ResolvedTarget {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(host, "host");
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a resolved target has at least one address");
    }
  }

  /** The address to connect to: the first checked one. */
  public InetAddress connectAddress() {
    return addresses.get(0);
  }
}
