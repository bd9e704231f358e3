package io.whispyrkeep.keyvault.outbound;

import io.smallrye.mutiny.Uni;
import java.net.InetAddress;
import java.util.List;

/**
 * Turns a host name into its addresses without holding a thread while the name server answers.
 * {@link BaseUrlGuard} bounds how many lookups run at once and checks every address returned; tests
 * replace it to make any name resolve to any address (the production bean is {@link
 * VertxHostResolver}).
 */
public interface HostResolver {

  /**
   * The addresses of {@code asciiHost} (lower-case ASCII, never an address literal). Must not block
   * the caller; fails when the name does not resolve or its lookup runs out of time.
   */
  Uni<List<InetAddress>> resolve(String asciiHost);
}
