package io.whispyrkeep.keyvault.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into its addresses. {@link BaseUrlGuard} calls it off the event loop with a
 * timeout and checks every address it returns; tests replace it to make any name resolve to any
 * address (the production bean is {@link SystemHostResolver}).
 */
public interface HostResolver {

  /**
   * The addresses of {@code asciiHost} (lower-case ASCII, never an address literal); may block.
   *
   * @throws UnknownHostException when the name does not resolve
   */
  List<InetAddress> resolve(String asciiHost) throws UnknownHostException;
}
