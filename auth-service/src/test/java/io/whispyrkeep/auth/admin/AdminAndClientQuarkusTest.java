package io.whispyrkeep.auth.admin;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.platform.event.SecurityEventSchema;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bootstrapped admin, role changes, unlock, and the client credentials grant. Shares one
 * application and database with the classes that declare the same resources (see {@link
 * PostgresTestResource}).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdminAndClientQuarkusTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String adminToken() {
    return AuthApi.login(
            "root@whispyrkeep.test", "Bootstrap-Admin-Pass-42!", AuthApi.randomAddress())
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }

  private static String[] newPlayerWithToken() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String token =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token");
    return new String[] {email, token, subject(token)};
  }

  private static String subject(String jwt) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).get("sub").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void bootstrapAdmin_canSignIn_withAdminRole() {
    given()
        .auth()
        .oauth2(adminToken())
        .get("/auth/me")
        .then()
        .statusCode(200)
        .body("roles", hasItem("admin"));
  }

  @Test
  void grantAndRevokeRole_byAdmin_changesNextTokenAndRecordsEvent() throws Exception {
    String[] player = newPlayerWithToken();
    String admin = adminToken();
    given()
        .auth()
        .oauth2(admin)
        .contentType(ContentType.JSON)
        .body(Map.of("role", "security"))
        .post("/auth/users/" + player[2] + "/roles")
        .then()
        .statusCode(204);
    String next =
        AuthApi.login(player[0], GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token");
    JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(next.split("\\.")[1]));
    assertThat(JSON.convertValue(claims.get("groups"), List.class)).contains("security", "player");
    List<String> granted = ServiceDatabase.eventPayloads("auth.role_granted", player[2]);
    assertThat(granted).hasSize(1);
    assertThat(JSON.readTree(granted.get(0)).get("actor").asText()).isEqualTo(subject(admin));

    given()
        .auth()
        .oauth2(admin)
        .delete("/auth/users/" + player[2] + "/roles/security")
        .then()
        .statusCode(204);
    given()
        .auth()
        .oauth2(
            AuthApi.login(player[0], GOOD_PASSWORD, AuthApi.randomAddress())
                .<String>path("access_token"))
        .get("/auth/me")
        .then()
        .body("roles", org.hamcrest.Matchers.not(hasItem("security")));
  }

  private static Response grant(String token, String subject, String role) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("role", role))
        .post("/auth/users/" + subject + "/roles");
  }

  private static Response revoke(String token, String subject, String role) {
    return given().auth().oauth2(token).delete("/auth/users/" + subject + "/roles/" + role);
  }

  @Test
  void changeOwnRoles_byAdmin_403ProblemAndNothingChanged() {
    String admin = adminToken();
    String self = subject(admin);
    grant(admin, self, "security")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://whispyrkeep.io/problems/own-roles"));
    revoke(admin, self, "admin")
        .then()
        .statusCode(403)
        .body("type", equalTo("https://whispyrkeep.io/problems/own-roles"));
    given()
        .auth()
        .oauth2(adminToken())
        .get("/auth/me")
        .then()
        .body("roles", containsInAnyOrder("admin", "player"));
    String selfChange = "\"actor\":\"" + self + "\",\"subject\":\"" + self + "\"";
    assertThat(ServiceDatabase.eventPayloads("auth.role_granted", selfChange)).isEmpty();
    assertThat(ServiceDatabase.eventPayloads("auth.role_revoked", selfChange)).isEmpty();
  }

  @Test
  void revokeAdmin_fromTheLastAdmin_409ProblemAndRoleKept() {
    String root = adminToken();
    String rootId = subject(root);
    String[] second = newPlayerWithToken();
    grant(root, second[2], "admin").then().statusCode(204);
    String secondAdmin =
        AuthApi.login(second[0], GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token");
    // Two admins: one may remove the other...
    revoke(secondAdmin, rootId, "admin").then().statusCode(204);
    try {
      // ...but the removed one's token, still valid for minutes, cannot remove the last admin.
      revoke(root, second[2], "admin")
          .then()
          .statusCode(409)
          .contentType("application/problem+json")
          .body("type", equalTo("https://whispyrkeep.io/problems/last-admin"));
      given()
          .auth()
          .oauth2(secondAdmin)
          .get("/auth/me")
          .then()
          .statusCode(200)
          .body("roles", hasItem("admin"));
    } finally {
      grant(secondAdmin, rootId, "admin").then().statusCode(204);
    }
    // With two admins again, the role can go.
    revoke(root, second[2], "admin").then().statusCode(204);
  }

  @Test
  void adminEndpoints_player403_anonymous401_unknownUser404_badRole400() {
    String[] player = newPlayerWithToken();
    given()
        .auth()
        .oauth2(player[1])
        .post("/auth/users/" + player[2] + "/unlock")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given().post("/auth/users/" + player[2] + "/unlock").then().statusCode(401);
    String admin = adminToken();
    given()
        .auth()
        .oauth2(admin)
        .post("/auth/users/00000000-0000-7000-8000-000000000000/unlock")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(admin)
        .contentType(ContentType.JSON)
        .body(Map.of("role", "superuser"))
        .post("/auth/users/" + player[2] + "/roles")
        .then()
        .statusCode(400);
  }

  @Test
  void unlock_byAdmin_clearsAddressLock() {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    String sub = subject(AuthApi.login(email, GOOD_PASSWORD, address).path("access_token"));
    for (int i = 0; i < 5; i++) {
      AuthApi.login(email, "Wrong-Password-123!", address).then().statusCode(401);
    }
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(401);

    given()
        .auth()
        .oauth2(adminToken())
        .post("/auth/users/" + sub + "/unlock")
        .then()
        .statusCode(204);

    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
    assertThat(ServiceDatabase.eventPayloads("auth.unlock", sub)).hasSize(1);
  }

  private static Response clientToken(String basic, String grantType) {
    var request = given().contentType(ContentType.URLENC).formParam("grant_type", grantType);
    if (basic != null) {
      request = request.header("Authorization", "Basic " + basic);
    }
    return request.post("/auth/token");
  }

  @Test
  void clientCredentials_validSecret_serviceTokenForItsAudiencesOnly() throws Exception {
    String basic = Base64.getEncoder().encodeToString("turn-service:test".getBytes());
    Response response = clientToken(basic, "client_credentials");
    response.then().statusCode(200).body("token_type", equalTo("Bearer"));
    JsonNode claims =
        JSON.readTree(
            Base64.getUrlDecoder().decode(response.<String>path("access_token").split("\\.")[1]));
    assertThat(claims.get("sub").asText()).isEqualTo("turn-service");
    assertThat(
            claims.get("aud").isArray()
                ? claims.get("aud").get(0).asText()
                : claims.get("aud").asText())
        .isEqualTo("keyvault-service");
    assertThat(JSON.convertValue(claims.get("groups"), List.class)).containsExactly("service");
    assertThat(response.<String>path("refresh_token")).isNull();
    // Its audience is keyvault-service only, so auth-service itself refuses it.
    given()
        .auth()
        .oauth2(response.<String>path("access_token"))
        .get("/auth/me")
        .then()
        .statusCode(401);
  }

  @Test
  void clientCredentials_wrongSecretMissingAuthOrGrant_rejected() {
    String wrong = Base64.getEncoder().encodeToString("turn-service:nope".getBytes());
    clientToken(wrong, "client_credentials")
        .then()
        .statusCode(401)
        .body("type", equalTo("https://whispyrkeep.io/problems/invalid-client"));
    clientToken(null, "client_credentials").then().statusCode(401);
    String unknown = Base64.getEncoder().encodeToString("evil-service:test".getBytes());
    clientToken(unknown, "client_credentials").then().statusCode(401);
    String good = Base64.getEncoder().encodeToString("turn-service:test".getBytes());
    clientToken(good, "password")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://whispyrkeep.io/problems/unsupported-grant-type"));
  }

  @Test
  void clientCredentials_clientIdWithNulByte_failureEventStorable() throws Exception {
    // A NUL in the subject made PostgreSQL refuse the event, which stalled audit ingestion.
    String marker = java.util.UUID.randomUUID().toString();
    String clientId = "evil\u0000client\r\n" + marker;
    String basic =
        Base64.getEncoder()
            .encodeToString((clientId + ":x").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    clientToken(basic, "client_credentials")
        .then()
        .statusCode(401)
        .body("type", equalTo("https://whispyrkeep.io/problems/invalid-client"));

    List<String> payloads = ServiceDatabase.eventPayloads("auth.client_auth_failure", marker);
    assertThat(payloads).hasSize(1);
    JsonNode event = JSON.readTree(payloads.get(0));
    assertThat(SecurityEventSchema.load().validate(event)).isEmpty();
    assertThat(event.get("subject").asText())
        .isEqualTo("evil\\u0000client\\u000D\\u000A" + marker)
        .doesNotContain("\u0000", "\r", "\n");
  }
}
