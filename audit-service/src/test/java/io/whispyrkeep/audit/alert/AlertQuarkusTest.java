package io.whispyrkeep.audit.alert;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.audit.support.AuditApi.ARRIVAL;
import static io.whispyrkeep.audit.support.AuditApi.alertsFor;
import static io.whispyrkeep.audit.support.AuditApi.awaitCount;
import static io.whispyrkeep.audit.support.AuditApi.player;
import static io.whispyrkeep.audit.support.AuditApi.security;
import static io.whispyrkeep.audit.support.TrailFixture.connect;
import static io.whispyrkeep.audit.support.TrailFixture.event;
import static io.whispyrkeep.audit.support.TrailFixture.eventAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Alerts raised from stored events, published on {@code security.alerts}, and acknowledged. Against
 * real Kafka and PostgreSQL, in the application shared by the classes with the same resources (see
 * {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AlertQuarkusTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  /**
   * The event as {@code source} publishes it (TrailFixture.produce signs it with that source's
   * key): audit-service accepts each type only from the service that owns it.
   */
  private static SecurityEvent from(String source, SecurityEvent event) {
    return new SecurityEvent(
        event.version(),
        event.id(),
        event.type(),
        event.occurredAt(),
        source,
        event.actor(),
        event.subject(),
        event.clientIp(),
        event.userAgent(),
        event.requestId(),
        event.severity(),
        event.details());
  }

  private void produce(SecurityEvent event) throws Exception {
    TrailFixture.produce(bootstrapServers, event);
  }

  @Test
  void failedLoginsForOneAccount_oneAlertStoredPublishedAndAcknowledged() throws Exception {
    String subject = "victim-" + UUID.randomUUID();
    for (int i = 0; i < 7; i++) {
      produce(event("auth.login_failure", subject));
    }
    awaitCount("subject=" + subject, 7);
    await().atMost(ARRIVAL).until(() -> !alertsFor(subject).isEmpty());
    List<Map<String, Object>> alerts = alertsFor(subject);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0))
        .containsEntry("rule", "failed-logins-account")
        .containsEntry("hits", 5);

    List<ConsumerRecord<String, String>> published =
        SecurityEventReader.read(
            bootstrapServers,
            SecurityEventTopics.SECURITY_ALERTS,
            r -> subject.equals(r.key()),
            1,
            ARRIVAL);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).value()).contains("failed-logins-account");

    String id = (String) alerts.get(0).get("id");
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(subject).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
    given()
        .auth()
        .oauth2(security())
        .post("/audit/alerts/" + UUID.randomUUID() + "/ack")
        .then()
        .statusCode(404);
    given().auth().oauth2(player()).get("/audit/alerts").then().statusCode(403);
  }

  @Test
  void acknowledge_alertAboutTheCaller_refused403_someoneElseMay() throws Exception {
    String promoted = "promoted-" + UUID.randomUUID();
    String granter = "granter-" + UUID.randomUUID();
    produce(event("auth.role_granted", promoted, granter));
    await().atMost(ARRIVAL).until(() -> !alertsFor(promoted).isEmpty());
    String id = (String) alertsFor(promoted).get(0).get("id");

    // The account the alert is about (its group and subject), and whoever granted the role.
    for (String caller : List.of(promoted, granter)) {
      given()
          .auth()
          .oauth2(TestTokens.valid(caller, "audit-service", "security"))
          .post("/audit/alerts/" + id + "/ack")
          .then()
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", org.hamcrest.Matchers.endsWith("/forbidden"));
    }
    assertThat(alertsFor(promoted).get(0).get("acknowledgedAt")).isNull();
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(promoted).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
  }

  @Test
  void acknowledge_auditRecordCannotBeWritten_alertStaysOpen() throws Exception {
    String reused = "ack-tx-" + UUID.randomUUID();
    produce(event("auth.refresh_reuse_detected", reused));
    await().atMost(ARRIVAL).until(() -> !alertsFor(reused).isEmpty());
    String id = (String) alertsFor(reused).get(0).get("id");
    try (Connection connection = connect();
        Statement owner = connection.createStatement()) {
      // The acknowledgement's audit record cannot be written (as if its insert failed).
      owner.execute("REVOKE INSERT ON outbox FROM " + RuntimeRoleTestResource.ROLE);
      try {
        given()
            .auth()
            .oauth2(security())
            .post("/audit/alerts/" + id + "/ack")
            .then()
            .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(500))
            .contentType("application/problem+json");
      } finally {
        owner.execute("GRANT INSERT ON outbox TO " + RuntimeRoleTestResource.ROLE);
      }
    }
    assertThat(alertsFor(reused).get(0).get("acknowledgedAt"))
        .as("no acknowledgement without its audit record")
        .isNull();
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(reused).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
  }

  @Test
  void failedLoginsFromOneAddress_andRejectedPatchBurst_raiseAlerts_spreadOrFewDoNot()
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    String address = "192.0.2." + (1 + new java.util.Random().nextInt(250));
    // Five accounts tried from one address: the per-address rule fires, no per-account one does.
    for (int i = 0; i < 5; i++) {
      produce(eventAt("auth.login_failure", "spray-" + UUID.randomUUID(), null, address, now));
    }
    // Four failures for one account: below the threshold.
    String fewFailures = "few-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) {
      produce(eventAt("auth.login_failure", fewFailures, null, "198.51.100." + i, now));
    }
    // Six failures for one account, eleven minutes apart: never five within ten minutes.
    String spread = "spread-" + UUID.randomUUID();
    for (int i = 0; i < 6; i++) {
      produce(
          eventAt(
              "auth.login_failure",
              spread,
              null,
              "198.18.0." + i,
              now.minus(Duration.ofMinutes(11L * (6 - i)))));
    }
    // Ten rejected patches by one player within five minutes, in the order they happened.
    String player = "player-" + UUID.randomUUID();
    for (int i = 0; i < 10; i++) {
      produce(
          from(
              "turn-service",
              eventAt(
                  "turn.patch_rejected",
                  "campaign-1",
                  player,
                  "203.0.113.50",
                  now.minusSeconds(10L * (9 - i)))));
    }
    awaitCount("actor=" + player, 10);
    awaitCount("subject=" + spread, 6);
    await().atMost(ARRIVAL).until(() -> !alertsFor(address).isEmpty());
    await().atMost(ARRIVAL).until(() -> !alertsFor(player).isEmpty());
    assertThat(alertsFor(address))
        .singleElement()
        .satisfies(alert -> assertThat(alert).containsEntry("rule", "failed-logins-ip"));
    assertThat(alertsFor(player))
        .singleElement()
        .satisfies(
            alert ->
                assertThat(alert)
                    .containsEntry("rule", "rejected-patch-burst")
                    .containsEntry("hits", 10));
    assertThat(alertsFor(fewFailures)).isEmpty();
    assertThat(alertsFor(spread)).isEmpty();
  }

  @Test
  void reuseRoleGrantAndNewDecryptingService_eachRaiseAnAlert() throws Exception {
    String reused = "reuse-" + UUID.randomUUID();
    String promoted = "promoted-" + UUID.randomUUID();
    String key = "key-" + UUID.randomUUID();
    produce(event("auth.refresh_reuse_detected", reused));
    produce(event("auth.role_granted", promoted));
    produce(from("keyvault-service", event("key.used", key, "turn-service")));
    produce(from("keyvault-service", event("key.used", key, "turn-service")));
    produce(from("keyvault-service", event("key.used", key, "unknown-service")));
    awaitCount("subject=" + key, 3);
    await().atMost(ARRIVAL).until(() -> alertsFor(key).size() == 2);
    assertThat(alertsFor(reused)).extracting(a -> a.get("rule")).containsExactly("refresh-reuse");
    assertThat(alertsFor(promoted))
        .extracting(a -> a.get("rule"))
        .containsExactly("privilege-change");
    assertThat(alertsFor(key))
        .extracting(a -> a.get("summary").toString())
        .anyMatch(summary -> summary.contains("unknown-service"))
        .anyMatch(summary -> summary.contains("turn-service"));
  }
}
