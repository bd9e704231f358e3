package io.whispyrkeep.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

  @Test
  void key_ipv6AddressesInOneSlash64_shareOneKey() {
    assertThat(ClientAddresses.key("2001:db8:1:2::a")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddresses.key("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"))
        .isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddresses.key("[2001:db8:1:2::b]")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddresses.key("fe80::1%eth0")).isEqualTo("fe80:0:0:0::/64");
    assertThat(ClientAddresses.key("2001:db8:1:3::a")).isEqualTo("2001:db8:1:3::/64");
  }

  @Test
  void key_ipv4AndMappedIpv4_areTheAddress() {
    assertThat(ClientAddresses.key("203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.key("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
  }

  @Test
  void key_missingOrNonLiteral_unknownWithoutLookup() {
    assertThat(ClientAddresses.key((String) null)).isEqualTo(ClientAddresses.UNKNOWN);
    assertThat(ClientAddresses.key(" ")).isEqualTo(ClientAddresses.UNKNOWN);
    // Would be a host-name lookup if handed to InetAddress: refused before.
    assertThat(ClientAddresses.key("evil.example:1")).isEqualTo(ClientAddresses.UNKNOWN);
    assertThat(ClientAddresses.key("\u0663::1")).isEqualTo(ClientAddresses.UNKNOWN);
    assertThat(ClientAddresses.key(":".repeat(10_000))).isEqualTo(ClientAddresses.UNKNOWN);
    assertThat(ClientAddresses.key("1:2:3")).isEqualTo(ClientAddresses.UNKNOWN);
    assertThat(ClientAddresses.key("01.2.3.4:")).isEqualTo(ClientAddresses.UNKNOWN);
  }

  @Test
  void networkAddress_ofSlash64Key_isAnAddressLiteral() {
    assertThat(ClientAddresses.networkAddress("2001:db8:1:2::/64")).isEqualTo("2001:db8:1:2::");
    assertThat(ClientAddresses.networkAddress("203.0.113.7")).isEqualTo("203.0.113.7");
  }
}
