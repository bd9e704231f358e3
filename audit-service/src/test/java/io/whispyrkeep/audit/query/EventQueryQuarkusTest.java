package io.whispyrkeep.audit.query;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.audit.support.AuditApi.ARRIVAL;
import static io.whispyrkeep.audit.support.AuditApi.awaitCount;
import static io.whispyrkeep.audit.support.AuditApi.player;
import static io.whispyrkeep.audit.support.AuditApi.query;
import static io.whispyrkeep.audit.support.AuditApi.security;
import static io.whispyrkeep.audit.support.TrailFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Querying the trail: newest first with a cursor, filters, roles, and every query itself recorded.
 * Against real Kafka and PostgreSQL, in the application shared by the classes with the same
 * resources (see {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EventQueryQuarkusTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private void produce(SecurityEvent event) throws Exception {
    TrailFixture.produce(bootstrapServers, event);
  }

  @Test
  void producedEvents_storedOnce_queryableNewestFirstWithCursor() throws Exception {
    String subject = "s-" + UUID.randomUUID();
    List<SecurityEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      SecurityEvent event = event("auth.login_failure", subject);
      events.add(event);
      produce(event);
      Thread.onSpinWait();
    }
    produce(events.get(0)); // a duplicate, as an outbox relay may send
    awaitCount("subject=" + subject + "&limit=500", 5);

    Response first = query("subject=" + subject + "&limit=2");
    first.then().statusCode(200);
    List<String> seen = new ArrayList<>(first.jsonPath().getList("items.id"));
    String cursor = first.path("nextCursor");
    while (cursor != null) {
      Response next = query("subject=" + subject + "&limit=2&cursor=" + cursor);
      seen.addAll(next.jsonPath().getList("items.id"));
      cursor = next.path("nextCursor");
    }
    List<String> newestFirst =
        events.stream()
            .map(e -> e.id().toString())
            .sorted(java.util.Comparator.reverseOrder())
            .toList();
    assertThat(seen).containsExactlyElementsOf(newestFirst);

    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/" + events.get(2).id())
        .then()
        .statusCode(200)
        .body("subject", equalTo(subject))
        .body("type", equalTo("auth.login_failure"));
    query("type=auth.&subject=" + subject).then().body("items.size()", equalTo(5));
    query("type=keys.&subject=" + subject).then().body("items.size()", equalTo(0));
  }

  @Test
  void endpoints_requireSecurityRole() {
    given().get("/audit/events").then().statusCode(401);
    given()
        .auth()
        .oauth2(player())
        .get("/audit/events")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given().auth().oauth2(player()).get("/audit/verify").then().statusCode(403);
    query("limit=501").then().statusCode(400).contentType("application/problem+json");
    query("severity=PANIC").then().statusCode(400);
    query("from=yesterday").then().statusCode(400);
    query("cursor=!!!").then().statusCode(400);
  }

  @Test
  void queried_recordsEveryFilterTheCursorAndTheLimit() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    String cursor = query("limit=1").then().statusCode(200).extract().path("nextCursor").toString();
    query(
            "type=auth.&actor=a-"
                + marker
                + "&subject=s-"
                + marker
                + "&ip=192.0.2.1&severity=notice&from=2026-01-01T00:00:00Z"
                + "&to=2100-01-01T00:00:00Z&q="
                + marker
                + "&limit=7&cursor="
                + cursor)
        .then()
        .statusCode(200);
    await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                query("type=audit.queried&actor=analyst-1&q=s-" + marker)
                        .jsonPath()
                        .getList("items")
                        .size()
                    >= 1);
    Map<String, Object> details =
        query("type=audit.queried&actor=analyst-1&q=s-" + marker)
            .jsonPath()
            .getMap("items.find { it.details.subject == 's-" + marker + "' }.details");
    assertThat(details)
        .containsEntry("query", "events")
        .containsEntry("type", "auth.")
        .containsEntry("actor", "a-" + marker)
        .containsEntry("subject", "s-" + marker)
        .containsEntry("ip", "192.0.2.1")
        .containsEntry("severity", "NOTICE")
        .containsEntry("from", "2026-01-01T00:00:00Z")
        .containsEntry("to", "2100-01-01T00:00:00Z")
        .containsEntry("q", marker)
        .containsEntry("limit", "7")
        .containsEntry("cursor", cursor);
  }
}
