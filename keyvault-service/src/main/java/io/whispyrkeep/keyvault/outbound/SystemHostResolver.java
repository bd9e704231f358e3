package io.whispyrkeep.keyvault.outbound;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The JVM's resolver ({@link InetAddress#getAllByName}: hosts file, then DNS, with the JVM's
 * positive cache of {@code networkaddress.cache.ttl}). Blocking; {@link BaseUrlGuard} runs it on
 * its own bounded pool with a timeout.
 */
@ApplicationScoped
public class SystemHostResolver implements HostResolver {

  @Override
  public List<InetAddress> resolve(String asciiHost) throws UnknownHostException {
    return List.of(InetAddress.getAllByName(asciiHost));
  }
}
