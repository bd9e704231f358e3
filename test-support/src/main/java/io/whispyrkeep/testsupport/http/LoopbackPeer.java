package io.whispyrkeep.testsupport.http;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.specification.RequestSpecification;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * REST Assured requests sent from a chosen loopback address. Linux answers on all of 127.0.0.0/8,
 * so a test can be a peer other than 127.0.0.1 (which the test configurations trust as the proxy)
 * and show what an untrusted client can and cannot do.
 */
public final class LoopbackPeer {

  /** Apache HttpClient 4's parameter for the local address of a connection. */
  private static final String LOCAL_ADDRESS = "http.route.local-address";

  private LoopbackPeer() {}

  /** A request specification whose connections come from {@code address}. */
  public static RequestSpecification from(String address) {
    InetAddress local;
    try {
      local = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + address, e);
    }
    return RestAssured.given()
        .config(
            RestAssured.config()
                .httpClient(HttpClientConfig.httpClientConfig().setParam(LOCAL_ADDRESS, local)));
  }

  /** A random loopback address that is never 127.0.0.1, so tests do not share buckets. */
  public static String randomAddress() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "127."
        + random.nextInt(1, 255)
        + "."
        + random.nextInt(0, 256)
        + "."
        + random.nextInt(1, 255);
  }
}
