package io.whispyrkeep.platform.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.jwt.auth.principal.ParseException;
import io.whispyrkeep.testsupport.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {

  private final MutableClock clock = new MutableClock();

  /** Stands in for smallrye-jwt: accepts the tokens it was told about, counts every call. */
  private static final class FakeVerifier implements VerifiedTokenCache.Verifier {
    private final Map<String, Instant> valid;
    private final List<String> calls = new ArrayList<>();

    FakeVerifier(Map<String, Instant> valid) {
      this.valid = valid;
    }

    @Override
    public JsonWebToken verify(String token) throws ParseException {
      calls.add(token);
      Instant expiry = valid.get(token);
      if (expiry == null || !Instant.now().isBefore(expiry)) {
        throw new ParseException("refused");
      }
      return new FakeJwt(token, expiry.getEpochSecond());
    }
  }

  private record FakeJwt(String raw, long exp) implements JsonWebToken {
    @Override
    public String getName() {
      return "someone";
    }

    @Override
    public Set<String> getClaimNames() {
      return Set.of("raw_token", "exp");
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getClaim(String name) {
      return (T) (name.equals("exp") ? (Object) exp : name.equals("raw_token") ? raw : null);
    }
  }

  @Test
  void verify_sameTokenTwice_verifiedOnceAndServedFromCache() throws Exception {
    FakeVerifier verifier = new FakeVerifier(Map.of("a.b.c", Instant.now().plusSeconds(300)));
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 100);

    JsonWebToken first = cache.verify("a.b.c", verifier);
    JsonWebToken second = cache.verify("a.b.c", verifier);

    assertThat(second).isSameAs(first);
    assertThat(verifier.calls).containsExactly("a.b.c");
  }

  @Test
  void verify_alteredSignatureAfterGoodTokenCached_goesToVerifierAndIsRefused() throws Exception {
    FakeVerifier verifier = new FakeVerifier(Map.of("a.b.c", Instant.now().plusSeconds(300)));
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 100);
    cache.verify("a.b.c", verifier);

    assertThatThrownBy(() -> cache.verify("a.b.d", verifier)).isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> cache.verify("a.b.d", verifier)).isInstanceOf(ParseException.class);
    assertThat(verifier.calls).containsExactly("a.b.c", "a.b.d", "a.b.d");
  }

  @Test
  void verify_clockPastExpiry_notServedFromCacheAndRefusedByVerifier() throws Exception {
    Instant expiry = Instant.now().plusSeconds(60);
    FakeVerifier verifier = new FakeVerifier(Map.of("a.b.c", expiry));
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 100);
    cache.verify("a.b.c", verifier);

    clock.advance(Duration.ofSeconds(61));

    // The cache must ask again: the fake verifier (on real time) still accepts, which shows the
    // entry was not served past the expiry on the injected clock.
    cache.verify("a.b.c", verifier);
    assertThat(verifier.calls).containsExactly("a.b.c", "a.b.c");
  }

  @Test
  void verify_clockExactlyAtExpiry_notServedFromCache() throws Exception {
    Instant expiry = Instant.now().plusSeconds(60);
    FakeVerifier verifier = new FakeVerifier(Map.of("a.b.c", expiry));
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 100);
    cache.verify("a.b.c", verifier);

    clock.advance(Duration.between(Instant.now(), expiry).plusMillis(1));

    cache.verify("a.b.c", verifier);
    assertThat(verifier.calls).hasSize(2);
  }

  @Test
  void verify_refusedToken_neverCached() {
    FakeVerifier verifier = new FakeVerifier(Map.of());
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 100);

    assertThatThrownBy(() -> cache.verify("x.y.z", verifier)).isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> cache.verify("x.y.z", verifier)).isInstanceOf(ParseException.class);
    assertThat(verifier.calls).hasSize(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void verify_moreTokensThanMaxSize_sizeStaysBounded() throws Exception {
    Instant expiry = Instant.now().plusSeconds(300);
    Map<String, Instant> valid = new java.util.HashMap<>();
    for (int i = 0; i < 50; i++) {
      valid.put("t." + i + ".s", expiry);
    }
    FakeVerifier verifier = new FakeVerifier(valid);
    VerifiedTokenCache cache = new VerifiedTokenCache(clock, 10);

    for (String token : valid.keySet()) {
      cache.verify(token, verifier);
    }

    assertThat(cache.size()).isLessThanOrEqualTo(10);
  }
}
