package io.whispyrkeep.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client-address rule: walk X-Forwarded-For from the right, skipping only trusted proxies. */
class ClientAddressResolverTest {

  private static final String INGRESS = "10.0.0.5";
  private final ClientAddressResolver resolver =
      new ClientAddressResolver(List.of("10.0.0.0/8", "192.168.0.0/16", "fd00::/8"));

  private String resolve(String peer, String... forwardedFor) {
    return resolver.resolve(peer, List.of(forwardedFor));
  }

  @Test
  void noTrustedProxies_forwardedForIgnored() {
    ClientAddressResolver none = new ClientAddressResolver(List.of());
    assertThat(none.trustsAnyProxy()).isFalse();
    assertThat(none.resolve("127.0.0.1", List.of("203.0.113.9"))).isEqualTo("127.0.0.1");
  }

  @Test
  void untrustedPeer_forwardedForIgnored() {
    assertThat(resolve("198.51.100.20", "203.0.113.9")).isEqualTo("198.51.100.20");
    assertThat(resolve("198.51.100.20", "10.0.0.7")).isEqualTo("198.51.100.20");
  }

  @Test
  void trustedPeer_spoofedLeftmostHop_rightmostUntrustedHopWins() {
    // The client wrote "6.6.6.6"; the ingress appended the address it really saw.
    assertThat(resolve(INGRESS, "6.6.6.6, 203.0.113.9")).isEqualTo("203.0.113.9");
    // Pretending to be a trusted proxy from the left does not help either.
    assertThat(resolve(INGRESS, "10.9.9.9, 203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void severalTrustedProxies_skippedUntilFirstUntrustedHop() {
    assertThat(resolve(INGRESS, "6.6.6.6, 203.0.113.9, 192.168.1.1, 10.1.1.1"))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void severalHeaderLines_walkedAsOneListInOrder() {
    assertThat(resolve(INGRESS, "6.6.6.6", "203.0.113.9, 10.1.1.1")).isEqualTo("203.0.113.9");
    assertThat(resolve(INGRESS, "203.0.113.9", "10.1.1.1")).isEqualTo("203.0.113.9");
  }

  @Test
  void everyHopTrusted_leftmostTrustedHop() {
    assertThat(resolve(INGRESS, "192.168.1.1, 10.1.1.1")).isEqualTo("192.168.1.1");
  }

  @Test
  void noHeader_trustedPeerItself() {
    assertThat(resolve(INGRESS)).isEqualTo(INGRESS);
    assertThat(resolver.resolve(INGRESS, null)).isEqualTo(INGRESS);
  }

  @Test
  void ipv6_hopsWithBracketsAndPorts_canonicalForm() {
    assertThat(resolve("fd00::1", "2001:db8::66, [2001:DB8:0:0::7]:443")).isEqualTo("2001:db8::7");
    assertThat(resolve("fd00:0:0:0:0:0:0:1", "2001:db8::7")).isEqualTo("2001:db8::7");
    assertThat(resolve("0:0:0:0:0:0:0:1", "203.0.113.9")).isEqualTo("::1");
    assertThat(resolve(INGRESS, "2001:db8::7%eth0")).isEqualTo("2001:db8::7");
  }

  @Test
  void ipv4MappedIpv6_treatedAsIpv4() {
    assertThat(resolve("::ffff:10.0.0.5", "::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(resolve("::ffff:198.51.100.20", "203.0.113.9")).isEqualTo("198.51.100.20");
  }

  @Test
  void ipv4HopWithPort_portDropped() {
    assertThat(resolve(INGRESS, "203.0.113.9:51234")).isEqualTo("203.0.113.9");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "unknown",
        "evil.example.com",
        "localhost",
        "127.1",
        "0x7f.0.0.1",
        "1.2.3.4.5",
        "256.1.1.1",
        "203.0.113.9:99999",
        "203.0.113.9:",
        "[2001:db8::7",
        "[2001:db8::7]x",
        "' OR 1=1 --",
        "203.0.113.9\u0000",
        "",
        " "
      })
  void garbageHop_walkEndsAtLastTrustedHop(String garbage) {
    assertThat(resolve(INGRESS, garbage)).isEqualTo(INGRESS);
    assertThat(resolve(INGRESS, "203.0.113.9, " + garbage + ", 10.1.1.1")).isEqualTo("10.1.1.1");
  }

  @Test
  void garbageLeftOfClientHop_ignored() {
    assertThat(resolve(INGRESS, "not-an-ip, , 203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void peerWithoutIpAddress_null() {
    assertThat(resolve("some-host", "203.0.113.9")).isNull();
  }

  @Test
  void hugeHeaderOfTrustedHops_walkBoundedAndEndsOnTrustedHop() {
    String header = "203.0.113.9, " + "10.0.0.1, ".repeat(100_000) + "10.0.0.1";
    String resolved =
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> resolve(INGRESS, header));
    assertThat(resolved).isEqualTo("10.0.0.1");
  }

  @Test
  void hugeSingleHopOrManyLines_peerWithinBudget() {
    String huge = "a".repeat(1_000_000);
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(1), () -> resolve(INGRESS, huge)))
        .isEqualTo(INGRESS);
    String commas = ",".repeat(1_000_000);
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(1), () -> resolve(INGRESS, commas)))
        .isEqualTo(INGRESS);
    List<String> lines = java.util.Collections.nCopies(100_000, "10.0.0.1");
    assertThat(
            assertTimeoutPreemptively(
                Duration.ofSeconds(1), () -> resolver.resolve(INGRESS, lines)))
        .isEqualTo("10.0.0.1");
  }

  @Test
  void cidrBoundaries_matchedByPrefixBits() {
    ClientAddressResolver narrow =
        new ClientAddressResolver(List.of("172.16.0.0/12", "10.0.0.0/31", "198.51.100.7"));
    assertThat(narrow.resolve("172.31.255.255", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(narrow.resolve("172.32.0.0", List.of("203.0.113.9"))).isEqualTo("172.32.0.0");
    assertThat(narrow.resolve("10.0.0.1", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(narrow.resolve("10.0.0.2", List.of("203.0.113.9"))).isEqualTo("10.0.0.2");
    assertThat(narrow.resolve("198.51.100.7", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(narrow.resolve("198.51.100.8", List.of("203.0.113.9"))).isEqualTo("198.51.100.8");
  }

  @Test
  void ipv4Cidr_neverMatchesIpv6Peer() {
    assertThat(resolve("2001:db8::1", "203.0.113.9")).isEqualTo("2001:db8::1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "proxy.internal",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0/x",
        "10.0.0.0/-1",
        "0.0.0.0/0",
        "::/0",
        "fd00::/129"
      })
  void invalidTrustedProxy_refusedAtConfiguration(String entry) {
    assertThatThrownBy(() -> new ClientAddressResolver(List.of(entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(entry);
  }
}
