package io.whispyrkeep.keyvault.outbound;

import io.netty.util.NetUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Resolves a player's base URL host with the Vert.x DNS client: an A and an AAAA query sent in
 * parallel to one name server, each failing after {@code
 * whispyrkeep.keyvault.outbound.dns-timeout}. No thread waits for the answer, so a player whose
 * name server stalls holds nothing but an in-flight query. The hosts file and the JVM's DNS cache
 * are not consulted: every call asks the name server again.
 *
 * <p>The name server is {@code whispyrkeep.keyvault.outbound.dns-server-host} (and {@code
 * dns-server-port}); unset, it is the first {@code nameserver} of the system's {@code
 * /etc/resolv.conf}, as Vert.x reads it.
 */
@ApplicationScoped
public class VertxHostResolver implements HostResolver {

  private final DnsClient dns;

  @Inject
  VertxHostResolver(Vertx vertx, OutboundConfig config) {
    this(vertx, options(config));
  }

  /** A resolver asking the name server in {@code options}; tests point it at a local one. */
  VertxHostResolver(Vertx vertx, DnsClientOptions options) {
    this.dns = vertx == null ? null : vertx.createDnsClient(options);
  }

  @PreDestroy
  void close() {
    if (dns != null) {
      dns.close();
    }
  }

  @Override
  public Uni<List<InetAddress>> resolve(String asciiHost) {
    Uni<List<InetAddress>> v4 = query(() -> dns.resolveA(asciiHost));
    Uni<List<InetAddress>> v6 = query(() -> dns.resolveAAAA(asciiHost));
    return Uni.combine()
        .all()
        .unis(v4, v6)
        .with(
            (a, aaaa) -> {
              List<InetAddress> all = new ArrayList<>(a);
              all.addAll(aaaa);
              return List.copyOf(all);
            });
  }

  static DnsClientOptions options(OutboundConfig config) {
    DnsClientOptions options =
        new DnsClientOptions()
            .setQueryTimeout(config.dnsTimeout().toMillis())
            .setRecursionDesired(true);
    config.dnsServerHost().ifPresent(host -> options.setHost(host).setPort(config.dnsServerPort()));
    return options;
  }

  private static Uni<List<InetAddress>> query(Supplier<Future<List<String>>> lookup) {
    return Uni.createFrom()
        .completionStage(() -> lookup.get().toCompletionStage())
        .map(
            texts ->
                texts == null
                    ? List.<InetAddress>of()
                    : texts.stream().map(VertxHostResolver::address).toList());
  }

  /** An address from its text form in a DNS answer, parsed without any lookup. */
  private static InetAddress address(String text) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      throw new IllegalArgumentException("a DNS answer that is not an address");
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("a DNS answer that is not an address", e);
    }
  }
}
