package io.whispyrkeep.audit.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import io.whispyrkeep.devinfra.keys.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The HTTP calls audit-service tests make as the security team ({@value #ANALYST}), and the waits
 * for what ingestion makes visible through them.
 */
public final class AuditApi {

  /** The analyst the tests query as; acknowledgements and query records name them. */
  public static final String ANALYST = "analyst-1";

  /** How long an event may take from Kafka to a query result on a loaded machine. */
  public static final Duration ARRIVAL = Duration.ofSeconds(60);

  private AuditApi() {}

  /** A token of the security team. */
  public static String security() {
    return TestTokens.valid(ANALYST, "audit-service", "security");
  }

  /** A token of a player, who may see nothing of the trail. */
  public static String player() {
    return TestTokens.valid("player-1", "audit-service", "player");
  }

  /** {@code GET /audit/events} with the given query string. */
  public static Response query(String parameters) {
    return given().auth().oauth2(security()).get("/audit/events?" + parameters);
  }

  /** Waits until the query finds exactly {@code count} events. */
  public static void awaitCount(String parameters, int count) {
    await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> query(parameters).jsonPath().getList("items").size() == count);
  }

  public static Response verify() {
    return given().auth().oauth2(security()).get("/audit/verify");
  }

  /** Verify reports the whole trail intact, without offset gaps. */
  public static void assertIntact() {
    verify()
        .then()
        .statusCode(200)
        .body("intact", equalTo(true))
        .body("offsetGaps.size()", equalTo(0));
  }

  /** Verify reports the trail broken, for {@code reason} when it is not null. */
  public static void assertBroken(String reason) {
    Response report = verify();
    report.then().statusCode(200).body("intact", equalTo(false));
    if (reason != null) {
      assertThat((String) report.path("firstBroken.reason")).isEqualTo(reason);
    }
  }

  /** The alerts of one group, newest first (the tests' groups are unique to each test). */
  public static List<Map<String, Object>> alertsFor(String group) {
    return alerts().stream().filter(alert -> group.equals(alert.get("group"))).toList();
  }

  /** Whether any alert of {@code rule} is listed. */
  public static boolean anyAlertOf(String rule) {
    return alerts().stream().anyMatch(alert -> rule.equals(alert.get("rule")));
  }

  private static List<Map<String, Object>> alerts() {
    return given()
        .auth()
        .oauth2(security())
        .get("/audit/alerts?limit=500")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("");
  }
}
