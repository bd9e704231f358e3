package io.whispyrkeep.keyvault.rotation;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.adminToken;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.newPlayer;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.openAiKey;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.put;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.eventPayloads;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.strings;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.whispyrkeep.keyvault.custody.TransitEngine;
import io.whispyrkeep.keyvault.support.KeyvaultApi;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Rotation, rewrap and the minimum decryption version through the admin API, against real
 * PostgreSQL with the embedded transit engine: 10,000 stored keys rewrapped, the worker "killed"
 * half-way (its lease taken away, as when its process dies), the run resumed without redoing
 * finished rows, and only then the minimum version raised.
 *
 * <p>One test method on purpose: the transit key is shared by the whole application, so its
 * versions move in one known sequence here.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = OfflineNarratorTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class RewrapQuarkusTest {

  private static final int ROWS = 10_000;

  @Inject TransitEngine engine;

  @Test
  void rotateRewrapKillResume_thenMinVersion_refusesOlder() throws Throwable {
    String admin = adminToken();
    given()
        .auth()
        .oauth2(KeyvaultApi.playerToken(newPlayer()))
        .post("/admin/keys/rotate")
        .then()
        .statusCode(403);

    // A player's key through the API, then 10,000 more stored directly (as many players would).
    String player = newPlayer();
    put(player, "openai", openAiKey()).then().statusCode(201);
    insertRows(ROWS);

    int before =
        given()
            .auth()
            .oauth2(admin)
            .post("/admin/keys/rotate")
            .then()
            .statusCode(200)
            .extract()
            .path("latestVersion");
    int target = before;
    assertThat(eventPayloads("key.rotated", "\"latestVersion\":\"" + target + "\"")).isNotEmpty();

    // Not before every stored key is at the new version.
    given()
        .auth()
        .oauth2(admin)
        .contentType("application/json")
        .body(Map.of("version", target))
        .post("/admin/keys/min-decryption-version")
        .then()
        .statusCode(409)
        .body("type", equalTo("https://whispyrkeep.io/problems/rewrap-incomplete"));

    // Four admins start it at once (the scheduled job, every 2 s here, may too): one run, and each
    // of them is told about it; none gets an error for losing the race.
    List<CompletableFuture<JsonPath>> starts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starts.add(
          CompletableFuture.supplyAsync(
              () ->
                  given()
                      .auth()
                      .oauth2(admin)
                      .post("/admin/keys/rewrap")
                      .then()
                      .statusCode(202)
                      .extract()
                      .jsonPath()));
    }
    JsonPath started = starts.get(0).join();
    String runId = started.getString("runId");
    for (CompletableFuture<JsonPath> start : starts) {
      assertThat(start.join().getString("runId")).isEqualTo(runId);
    }
    assertThat(started.getInt("targetVersion")).isEqualTo(target);
    assertThat(started.getInt("total")).isGreaterThanOrEqualTo(ROWS + 1);

    // The worker dies half-way: its lease is taken away, as when its process has gone. The lease
    // goes to a worker that does not exist and is still valid for a while, so that neither the
    // scheduled job (every 2 s in tests) nor an admin can resume the run while the test watches
    // that the old worker's writes stop.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> progress(admin).getInt("rewrapped") >= 1000);
    update(
        "UPDATE rewrap_run SET worker = 'dead-worker', lease_until = now() + interval '10 minutes'"
            + " WHERE id = ?::uuid",
        runId);
    // From here the old worker may still be inside a batch, but none of its writes may land.
    Map<String, String> doneBeforeResume = ciphertextsAt(target);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> countAt(target) == doneBeforeResume.size());
    int rewrappedBeforeResume = progress(admin).getInt("rewrapped");
    assertThat(doneBeforeResume.size()).isBetween(1000, ROWS);
    assertThat(progress(admin).getLong("remaining")).isPositive();
    // Now the dead worker's lease runs out, as it would: the run may be resumed (by the scheduled
    // job or the admin below, whichever comes first: it is the same run either way).
    update(
        "UPDATE rewrap_run SET lease_until = now() - interval '1 second' WHERE id = ?::uuid",
        runId);

    // Resumed: the same run, continuing where it stopped.
    JsonPath resumed =
        given()
            .auth()
            .oauth2(admin)
            .post("/admin/keys/rewrap")
            .then()
            .statusCode(202)
            .extract()
            .jsonPath();
    assertThat(resumed.getString("runId")).isEqualTo(runId);
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "finished".equals(progress(admin).getString("state")));

    JsonPath finished = progress(admin);
    assertThat(finished.getLong("remaining")).isZero();
    assertThat(finished.getInt("rewrapped")).isEqualTo(finished.getInt("total"));
    Map<String, String> after = ciphertextsAt(target);
    doneBeforeResume.forEach((id, ciphertext) -> assertThat(after.get(id)).isEqualTo(ciphertext));
    assertThat(rewrappedBeforeResume).isLessThan(finished.getInt("total"));
    assertThat(eventPayloads("key.rewrapped", runId)).hasSize(1);

    // Every key still decrypts to what it was.
    List<String[]> sample = sampleRows(20);
    for (String[] row : sample) {
      byte[] plain = VertxContextSupport.subscribeAndAwait(() -> engine.decrypt(row[0], row[1]));
      assertThat(new String(plain, StandardCharsets.UTF_8)).startsWith("sk-bulk-");
    }

    // Now the minimum version can be raised, and an old ciphertext no longer decrypts.
    String old = oldCiphertext;
    given()
        .auth()
        .oauth2(admin)
        .contentType("application/json")
        .body(Map.of("version", target))
        .post("/admin/keys/min-decryption-version")
        .then()
        .statusCode(200)
        .body("minDecryptionVersion", equalTo(target));
    assertThat(eventPayloads("key.min_version_raised", "\"minDecryptionVersion\":\"" + target))
        .isNotEmpty();
    org.junit.jupiter.api.Assertions.assertThrows(
        io.whispyrkeep.keyvault.custody.CiphertextRefusedException.class,
        () -> VertxContextSupport.subscribeAndAwait(() -> engine.decrypt(oldOwner, old)));
    // Out of range: above the newest, or lowering.
    given()
        .auth()
        .oauth2(admin)
        .contentType("application/json")
        .body(Map.of("version", target + 5))
        .post("/admin/keys/min-decryption-version")
        .then()
        .statusCode(400);
    given()
        .auth()
        .oauth2(admin)
        .contentType("application/json")
        .body(Map.of("version", 1))
        .post("/admin/keys/min-decryption-version")
        .then()
        .statusCode(target > 1 ? 400 : 200);
  }

  private String oldOwner;
  private String oldCiphertext;

  private void insertRows(int count) throws Throwable {
    List<TransitEngine.Plaintext> items = new ArrayList<>(count);
    List<String> owners = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String owner = UUID.randomUUID().toString();
      owners.add(owner);
      items.add(
          new TransitEngine.Plaintext(owner, ("sk-bulk-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    List<String> ciphertexts = new ArrayList<>(count);
    for (int from = 0; from < count; from += TransitEngine.MAX_BATCH_ITEMS) {
      List<TransitEngine.Plaintext> chunk =
          items.subList(from, Math.min(count, from + TransitEngine.MAX_BATCH_ITEMS));
      ciphertexts.addAll(VertxContextSupport.subscribeAndAwait(() -> engine.encryptBatch(chunk)));
    }
    oldOwner = owners.get(0);
    oldCiphertext = ciphertexts.get(0);
    try (Connection connection = ServiceDatabase.connect();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO api_key (id, owner_id, provider, ciphertext, key_version, last4, fingerprint,"
                    + " created_at, updated_at) VALUES (?, ?, 'openai', ?, ?, 'bulk', 'hmac-sha256:bulk',"
                    + " now(), now())")) {
      for (int i = 0; i < count; i++) {
        insert.setObject(1, UUID.randomUUID());
        insert.setString(2, owners.get(i));
        insert.setString(3, ciphertexts.get(i));
        insert.setInt(4, TransitEngine.versionOf(ciphertexts.get(i)));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static JsonPath progress(String admin) {
    return given()
        .auth()
        .oauth2(admin)
        .get("/admin/keys/rewrap")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static Map<String, String> ciphertextsAt(int version) {
    Map<String, String> rows = new HashMap<>();
    for (String row :
        strings("SELECT id || ' ' || ciphertext FROM api_key WHERE key_version = ?", version)) {
      int space = row.indexOf(' ');
      rows.put(row.substring(0, space), row.substring(space + 1));
    }
    return rows;
  }

  private static int countAt(int version) {
    return Integer.parseInt(
        strings("SELECT count(*)::text FROM api_key WHERE key_version = ?", version).get(0));
  }

  private static List<String[]> sampleRows(int count) {
    List<String[]> rows = new ArrayList<>();
    for (String row :
        strings(
            "SELECT owner_id || ' ' || ciphertext FROM api_key WHERE last4 = 'bulk' ORDER BY random()"
                + " LIMIT ?",
            count)) {
      int space = row.indexOf(' ');
      rows.add(new String[] {row.substring(0, space), row.substring(space + 1)});
    }
    return rows;
  }
}
