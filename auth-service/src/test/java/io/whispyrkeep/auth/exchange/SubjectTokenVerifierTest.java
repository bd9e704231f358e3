package io.whispyrkeep.auth.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

/**
 * What the subject token of an exchange must be: auth-service's own RS256 token (by {@code kid},
 * from its keys only), its issuer, current by the service's clock, meant for the client, a player's
 * own. Plain JUnit with generated keys and a fixed clock.
 */
class SubjectTokenVerifierTest {

  private static final String ISSUER = "https://auth.whispyrkeep.test";
  private static final String CLIENT = "turn-service";
  private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  private static final KeyPair OURS = TestJwtKeys.generate();
  private static final KeyPair RETIRED = TestJwtKeys.generate();
  private static final KeyPair FOREIGN = TestJwtKeys.generate();

  private final SubjectTokenVerifier verifier =
      new SubjectTokenVerifier(
          keyId ->
              switch (keyId) {
                case "ours" -> OURS.getPublic();
                case "retired" -> RETIRED.getPublic();
                default -> null;
              },
          Clock.fixed(NOW, ZoneOffset.UTC),
          ISSUER);

  private static JwtClaims playerClaims(UUID player) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(ISSUER);
    claims.setAudience("auth-service", "keyvault-service", CLIENT, "audit-service");
    claims.setSubject(player.toString());
    claims.setStringClaim("upn", "player@example.com");
    claims.setStringListClaim("groups", "player");
    claims.setIssuedAt(NumericDate.fromSeconds(NOW.getEpochSecond() - 60));
    claims.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() + 840));
    claims.setJwtId(UUID.randomUUID().toString());
    return claims;
  }

  private static String sign(JwtClaims claims, Key key, String keyId, String algorithm) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key);
    if (keyId != null) {
      jws.setKeyIdHeaderValue(keyId);
    }
    jws.setAlgorithmHeaderValue(algorithm);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String ours(JwtClaims claims) {
    return sign(claims, OURS.getPrivate(), "ours", AlgorithmIdentifiers.RSA_USING_SHA256);
  }

  private static String player(Consumer<JwtClaims> change) {
    JwtClaims claims = playerClaims(UUID.randomUUID());
    change.accept(claims);
    return ours(claims);
  }

  private String reason(String token) {
    try {
      verifier.verify(token, CLIENT);
    } catch (ExchangeRefusal refusal) {
      assertThat(refusal.error()).isEqualTo(ExchangeRefusal.Error.INVALID_GRANT);
      return refusal.reason();
    }
    return null;
  }

  @Test
  void verify_playerTokenSignedByActiveOrRetiredKey_subjectAndExpiry() {
    UUID player = UUID.randomUUID();
    JwtClaims claims = playerClaims(player);

    SubjectTokenVerifier.SubjectToken active = verifier.verify(ours(claims), CLIENT);
    SubjectTokenVerifier.SubjectToken retired =
        verifier.verify(
            sign(claims, RETIRED.getPrivate(), "retired", AlgorithmIdentifiers.RSA_USING_SHA256),
            CLIENT);

    assertThat(active.accountId()).isEqualTo(player);
    assertThat(active.expiresAt()).isEqualTo(NOW.plusSeconds(840));
    assertThat(retired.accountId()).isEqualTo(player);
  }

  @Test
  void verify_foreignKey_refusedWhateverKidItClaims() {
    JwtClaims claims = playerClaims(UUID.randomUUID());

    assertThat(reason(sign(claims, FOREIGN.getPrivate(), "foreign", "RS256")))
        .isEqualTo("unverifiable");
    assertThat(reason(sign(claims, FOREIGN.getPrivate(), "ours", "RS256")))
        .isEqualTo("bad_signature");
    assertThat(reason(sign(claims, OURS.getPrivate(), null, "RS256"))).isEqualTo("unverifiable");
  }

  @Test
  void verify_algorithmConfusion_refused() throws Exception {
    String valid = ours(playerClaims(UUID.randomUUID()));
    String payload = valid.split("\\.")[1];
    // alg none, unsigned.
    assertThat(reason(encode("{\"alg\":\"none\",\"kid\":\"ours\"}") + "." + payload + "."))
        .isNotNull();
    // HS256 keyed with our public key (the classic RS/HS confusion).
    String header = encode("{\"alg\":\"HS256\",\"kid\":\"ours\"}");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(OURS.getPublic().getEncoded(), "HmacSHA256"));
    String signature =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
    assertThat(reason(header + "." + payload + "." + signature)).isEqualTo("unverifiable");
    // Our key, another RSA algorithm: not what auth-service signs with.
    assertThat(reason(sign(playerClaims(UUID.randomUUID()), OURS.getPrivate(), "ours", "PS256")))
        .isEqualTo("unverifiable");
    // A key embedded in the header is never used.
    String embedded =
        encode(
            "{\"alg\":\"RS256\",\"kid\":\"foreign\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}");
    assertThat(reason(embedded + "." + payload + "." + valid.split("\\.")[2])).isNotNull();
  }

  @Test
  void verify_notACompactJws_malformed() {
    for (String token :
        List.of(
            "", "abc", "a.b", "a.b.c.d.e", "a.b.c d", "a.b.c\n", "wkrt_abcdef", "eyJ.eyJ.+/=")) {
      assertThat(reason(token)).as(token).isEqualTo("malformed");
    }
  }

  @Test
  void verify_deeplyNestedOrHugeHeader_refusedWithoutError() {
    String payload = ours(playerClaims(UUID.randomUUID())).split("\\.")[1];
    for (String header :
        List.of(
            "[".repeat(6000),
            "{\"a\":".repeat(1500),
            "{\"alg\":\"RS256\",\"kid\":\"" + "k".repeat(6000) + "\"}")) {
      assertThat(reason(encode(header) + "." + payload + ".c2ln")).isEqualTo("unverifiable");
    }
  }

  @Test
  void verify_payloadChangedAfterSigning_badSignature() {
    String valid = ours(playerClaims(UUID.randomUUID()));
    String[] parts = valid.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"player\"", "\"admin\"");

    assertThat(reason(parts[0] + "." + encode(payload) + "." + parts[2]))
        .isEqualTo("bad_signature");
  }

  @Test
  void verify_claimsOfOtherTokens_refusedWithTheirReason() {
    assertThat(reason(player(c -> c.setIssuer("https://evil.example"))))
        .isEqualTo("foreign_issuer");
    assertThat(
            reason(player(c -> c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond())))))
        .isEqualTo("expired");
    assertThat(reason(player(c -> c.setExpirationTime(null)))).isEqualTo("expired");
    assertThat(
            reason(player(c -> c.setNotBefore(NumericDate.fromSeconds(NOW.getEpochSecond() + 60)))))
        .isEqualTo("not_yet_valid");
    assertThat(reason(player(c -> c.setAudience("keyvault-service")))).isEqualTo("not_for_client");
    assertThat(reason(player(c -> c.setClaim("act", Map.of("sub", "other-service")))))
        .isEqualTo("delegated_token");
    assertThat(reason(player(c -> c.setStringClaim("scope", "llm:invoke"))))
        .isEqualTo("delegated_token");
    assertThat(
            reason(
                player(
                    c -> {
                      c.setSubject(CLIENT);
                      c.setStringListClaim("groups", "service");
                    })))
        .isEqualTo("service_token");
    assertThat(reason(player(c -> c.setStringListClaim("groups", "player", "service"))))
        .isEqualTo("service_token");
    assertThat(reason(player(c -> c.setStringListClaim("groups", "security"))))
        .isEqualTo("not_a_player");
    assertThat(reason(player(c -> c.setSubject("1-1-1-1-1")))).isEqualTo("not_a_player");
    assertThat(reason(player(c -> c.setSubject(c.getClaimValueAsString("sub").toUpperCase()))))
        .isEqualTo("not_a_player");
    assertThat(reason(player(c -> c.setClaim("groups", 42)))).isEqualTo("malformed");
  }

  @Test
  void verify_expiresInOneSecond_acceptedWithThatExpiry() {
    String token =
        player(c -> c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() + 1)));

    assertThat(verifier.verify(token, CLIENT).expiresAt()).isEqualTo(NOW.plusSeconds(1));
  }

  private static String encode(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
