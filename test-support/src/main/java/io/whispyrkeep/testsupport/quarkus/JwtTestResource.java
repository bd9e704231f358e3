package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import java.util.Map;

/**
 * Makes the application under test trust the test signing key ({@link TestJwtKeys}) and issuer
 * ({@link TestTokens#ISSUER}) instead of a running auth-service. Labelled a stand-in: it proves a
 * service's verification rules, not auth-service's signing.
 */
public class JwtTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    return Map.of(
        "whispyrkeep.jwt.jwks-url",
        TestJwtKeys.jwksFile().toUri().toString(),
        "whispyrkeep.jwt.issuer",
        TestTokens.ISSUER);
  }

  @Override
  public void stop() {}
}
