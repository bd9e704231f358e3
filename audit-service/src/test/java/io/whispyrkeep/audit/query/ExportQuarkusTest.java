package io.whispyrkeep.audit.query;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.audit.support.AuditApi.ARRIVAL;
import static io.whispyrkeep.audit.support.AuditApi.awaitCount;
import static io.whispyrkeep.audit.support.AuditApi.player;
import static io.whispyrkeep.audit.support.AuditApi.query;
import static io.whispyrkeep.audit.support.AuditApi.security;
import static io.whispyrkeep.audit.support.TrailFixture.connect;
import static io.whispyrkeep.audit.support.TrailFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Exporting the trail as NDJSON or CSV: content negotiation, formula cells neutralised, slow
 * readers capped. Against real Kafka and PostgreSQL, in the application shared by the classes with
 * the same resources (see {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ExportQuarkusTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject ObjectMapper mapper;

  private void produce(SecurityEvent event) throws Exception {
    TrailFixture.produce(bootstrapServers, event);
  }

  @Test
  void export_streamsNdjsonAndCsv_withFormulaCellsNeutralised() throws Exception {
    String subject = "@cmd-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      produce(event("auth.logout", subject));
    }
    awaitCount("subject=" + subject, 3);

    Response ndjson =
        given().auth().oauth2(security()).get("/audit/events/export?subject=" + subject);
    ndjson
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    List<String> lines = ndjson.asString().lines().toList();
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      assertThat(mapper.readTree(line).get("subject").asText()).isEqualTo(subject);
    }

    Response csv =
        given().auth().oauth2(security()).get("/audit/events/export?format=csv&subject=" + subject);
    csv.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    List<String> rows = csv.asString().lines().toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).startsWith("id,occurredAt,type");
    assertThat(rows.get(1)).contains("\"'" + subject + "\"").contains("\"auth.logout\"");

    query("limit=1").then().statusCode(200);
    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/export?format=xml")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given().auth().oauth2(player()).get("/audit/events/export").then().statusCode(403);
  }

  @Test
  void export_honoursAcceptHeader_formatOrAccept_unacceptableGets406Problem() throws Exception {
    String subject = "accept-" + UUID.randomUUID();
    for (int i = 0; i < 2; i++) {
      produce(event("auth.logout", subject));
    }
    awaitCount("subject=" + subject, 2);
    String path = "/audit/events/export?subject=" + subject;

    Response ndjson = given().auth().oauth2(security()).accept("application/x-ndjson").get(path);
    ndjson
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    assertThat(ndjson.asString().lines()).hasSize(2);
    Response csv = given().auth().oauth2(security()).accept("text/csv").get(path);
    csv.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    assertThat(csv.asString().lines()).hasSize(3).first().asString().startsWith("id,");
    given()
        .auth()
        .oauth2(security())
        .accept("text/csv;q=0.5, application/x-ndjson")
        .get(path)
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    given()
        .auth()
        .oauth2(security())
        .accept("text/*")
        .get(path + "&format=csv")
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    for (String[] refused :
        new String[][] {{"application/xml", ""}, {"application/x-ndjson", "&format=csv"}}) {
      given()
          .auth()
          .oauth2(security())
          .accept(refused[0])
          .get(path + refused[1])
          .then()
          .statusCode(406)
          .contentType("application/problem+json")
          .body("type", org.hamcrest.Matchers.endsWith("/not-acceptable"));
    }
  }

  @Test
  void export_slowReadersBeyondTheCap_refused503WithRetryAfter_queriesStillAnswer()
      throws Exception {
    String subject = "bulk-" + UUID.randomUUID();
    List<SecurityEvent> bulk = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      SecurityEvent base = event("auth.logout", subject);
      bulk.add(
          new SecurityEvent(
              base.version(),
              base.id(),
              base.type(),
              base.occurredAt(),
              base.source(),
              base.actor(),
              subject,
              base.clientIp(),
              base.userAgent(),
              base.requestId(),
              base.severity(),
              Map.of("reason", "x".repeat(5000))));
    }
    try (Connection owner = connect()) {
      // About 10 MB that no reader below takes: each export stays open, holding its slot.
      TrailFixture.appendChain(
          owner, 998, bulk, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
    }
    String request =
        "GET /audit/events/export?subject="
            + subject
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + security()
            + "\r\n\r\n";
    List<java.net.Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) { // the default cap
        java.net.Socket reader = new java.net.Socket();
        reader.setReceiveBufferSize(4096);
        reader.connect(
            new java.net.InetSocketAddress("localhost", io.restassured.RestAssured.port));
        stalled.add(reader);
        reader.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        reader.getOutputStream().flush();
        assertThat(statusLine(reader)).contains(" 200 ");
      }
      given()
          .auth()
          .oauth2(security())
          .get("/audit/events/export?subject=" + subject)
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", org.hamcrest.Matchers.notNullValue())
          .body("type", org.hamcrest.Matchers.endsWith("/service-unavailable"));
      query("subject=" + subject + "&limit=1")
          .then()
          .statusCode(200)
          .body("items.size()", equalTo(1));
    } finally {
      for (java.net.Socket reader : stalled) {
        reader.close();
      }
    }
    // The readers went away: their slots are free again.
    await()
        .atMost(ARRIVAL)
        .until(
            () ->
                given()
                        .auth()
                        .oauth2(security())
                        .get("/audit/events/export?subject=none-" + UUID.randomUUID())
                        .statusCode()
                    == 200);
  }

  private static String statusLine(java.net.Socket socket) throws Exception {
    socket.setSoTimeout(60_000);
    StringBuilder line = new StringBuilder();
    java.io.InputStream in = socket.getInputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.append((char) b);
    }
    return line.toString();
  }
}
