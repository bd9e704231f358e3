package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicAddressesTest {

  @Test
  void isPublic_publicUnicast_isTrue() throws Exception {
    for (String address :
        List.of(
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "2001:200::1",
            "3ffe::1")) {
      assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }
  }

  @Test
  void isPublic_specialPurposeIpv4_isFalse() throws Exception {
    for (String address :
        List.of(
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.0",
            "10.255.255.255",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.0.1",
            "169.254.169.254",
            "169.254.170.2",
            "172.16.0.0",
            "172.31.255.255",
            "192.0.0.0",
            "192.0.0.192",
            "192.0.0.255",
            "192.0.2.1",
            "192.31.196.1",
            "192.52.193.1",
            "192.88.99.1",
            "192.168.0.0",
            "192.168.255.255",
            "192.175.48.1",
            "198.18.0.0",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "100.100.100.200")) {
      assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }
  }

  @Test
  void isPublic_specialIpv6AndEmbeddedIpv4Forms_isFalse() throws Exception {
    for (String address :
        List.of(
            "::",
            "::1",
            "::127.0.0.1",
            "::8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::1",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "2001:2::1",
            "2001:10::1",
            "3fff::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "100::1",
            "1000::1",
            "4000::1",
            "::ffff:0:7f00:1")) {
      assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }
  }

  @Test
  void isPublic_ipv4MappedLoopback_isCheckedAsIpv4AndRefused() throws Exception {
    InetAddress mapped = InetAddress.getByName("::ffff:127.0.0.1");

    assertThat(mapped.getAddress()).hasSize(4);
    assertThat(PublicAddresses.isPublic(mapped)).isFalse();
  }

  @Test
  void isPublic_null_isFalse() {
    assertThat(PublicAddresses.isPublic(null)).isFalse();
  }
}
