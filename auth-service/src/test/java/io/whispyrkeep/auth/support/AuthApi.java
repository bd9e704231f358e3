package io.whispyrkeep.auth.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;

/**
 * The HTTP calls auth-service tests make, from a chosen client address: the tests connect from
 * 127.0.0.1, which their configuration trusts as the proxy, and name the client in {@code
 * X-Forwarded-For}.
 */
public final class AuthApi {

  /** A password that satisfies the policy. */
  public static final String GOOD_PASSWORD = "Correct-Horse-Battery-9!";

  private AuthApi() {}

  public static String uniqueEmail() {
    return "player-" + UUID.randomUUID() + "@Example.COM";
  }

  public static Response register(String email, String password, String address) {
    return given()
        .header("X-Forwarded-For", address)
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", password, "displayName", "Test Player"))
        .post("/auth/register");
  }

  public static Response login(String email, String password, String address) {
    return given()
        .header("X-Forwarded-For", address)
        .header("User-Agent", "auth-tests/1.0")
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", password))
        .post("/auth/login");
  }

  /** A login presenting a device token in the body (API clients) or as the cookie (browsers). */
  public static Response login(
      String email, String password, String address, String deviceToken, boolean asCookie) {
    var request =
        given()
            .header("X-Forwarded-For", address)
            .header("User-Agent", "auth-tests/1.0")
            .contentType(ContentType.JSON);
    if (asCookie) {
      request = request.cookie("__Secure-wk-device", deviceToken);
      return request.body(Map.of("email", email, "password", password)).post("/auth/login");
    }
    return request
        .body(Map.of("email", email, "password", password, "device_token", deviceToken))
        .post("/auth/login");
  }

  public static Response refresh(String refreshToken) {
    return given()
        .contentType(ContentType.JSON)
        .body(Map.of("refresh_token", refreshToken))
        .post("/auth/refresh");
  }

  /** Registers a new player and returns the normalised email. */
  public static String newPlayer(String address) {
    String email = uniqueEmail();
    register(email, GOOD_PASSWORD, address).then().statusCode(201);
    return email.substring(0, email.indexOf('@')) + "@example.com";
  }

  /** A random address in the TEST-NET-3 range, so tests do not share rate-limit buckets. */
  public static String randomAddress() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    return "203.0." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
  }
}
