package io.whispyrkeep.platform.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.testsupport.quarkus.JwksServerTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Key rotation as services see it: a token signed with a key id the cached JWKS does not know makes
 * the service refetch the JWKS at once, but not more often than the configured interval (1 minute),
 * so forged key ids cannot make it hammer auth-service.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
// The platform's test application publishes with the rights of a service that uses the platform.
@WithTestResource(
    value = KafkaTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS,
    initArgs = @ResourceArg(name = KafkaTestResource.PRINCIPAL, value = "auth-service"))
@WithTestResource(
    value = JwksServerTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JwksRefreshQuarkusTest {

  private static final String AUDIENCE = "platform-test";

  private static int status(String token) {
    return given().auth().oauth2(token).get("/widgets/count").then().extract().statusCode();
  }

  private static String signedBy(String keyId, KeyPair pair) {
    return TestTokens.sign(
        "player-9",
        AUDIENCE,
        TestTokens.ISSUER,
        Instant.now().plusSeconds(300),
        keyId,
        pair.getPrivate(),
        "player");
  }

  @Test
  void unknownKid_jwksRefetchedAtOnce_thenRateLimited() throws Exception {
    assertThat(status(TestTokens.valid("player-9", AUDIENCE, "player"))).isEqualTo(200);

    Map<String, RSAPublicKey> published = new LinkedHashMap<>();
    published.put(TestJwtKeys.KEY_ID, TestJwtKeys.publicKey());
    KeyPair rotated = TestJwtKeys.generate();
    published.put("rotated-key-2", (RSAPublicKey) rotated.getPublic());
    Files.writeString(JwksServerTestResource.SERVED_JWKS, TestJwtKeys.jwks(published));

    assertThat(status(signedBy("rotated-key-2", rotated))).isEqualTo(200);
    int fetchesAfterRotation = JwksServerTestResource.fetchCount();

    KeyPair third = TestJwtKeys.generate();
    published.put("third-key-3", (RSAPublicKey) third.getPublic());
    Files.writeString(JwksServerTestResource.SERVED_JWKS, TestJwtKeys.jwks(published));
    assertThat(status(signedBy("third-key-3", third))).isEqualTo(401);
    assertThat(status(signedBy("unknown-key-4", TestJwtKeys.generate()))).isEqualTo(401);

    assertThat(JwksServerTestResource.fetchCount()).isEqualTo(fetchesAfterRotation);
    assertThat(status(signedBy("rotated-key-2", rotated))).isEqualTo(200);
  }
}
