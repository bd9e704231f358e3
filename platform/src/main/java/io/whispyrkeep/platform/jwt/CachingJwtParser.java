package io.whispyrkeep.platform.jwt;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The parser Quarkus's bearer-token mechanism calls for every request ({@code MpJwtValidator}):
 * smallrye-jwt's own, with verified tokens remembered by {@link VerifiedTokenCache}. Only {@link
 * #parse(String)} (the service's one configuration) is cached; a call with another configuration,
 * key or secret always goes to the default parser.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

  private final DefaultJWTParser delegate;
  private final VerifiedTokenCache cache;

  CachingJwtParser(DefaultJWTParser delegate, Clock clock, JwtCacheConfig config) {
    this.delegate = delegate;
    this.cache = config.enabled() ? new VerifiedTokenCache(clock, config.maxSize()) : null;
  }

  @Override
  public JsonWebToken parse(String token) throws ParseException {
    return cache == null ? delegate.parse(token) : cache.verify(token, delegate::parse);
  }

  @Override
  public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
    return delegate.parse(token, context);
  }

  @Override
  public JsonWebToken verify(String token, PublicKey key) throws ParseException {
    return delegate.verify(token, key);
  }

  @Override
  public JsonWebToken verify(String token, SecretKey key) throws ParseException {
    return delegate.verify(token, key);
  }

  @Override
  public JsonWebToken verify(String token, String secret) throws ParseException {
    return delegate.verify(token, secret);
  }

  @Override
  public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
    return delegate.decrypt(token, key);
  }

  @Override
  public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
    return delegate.decrypt(token, key);
  }

  @Override
  public JsonWebToken decrypt(String token, String secret) throws ParseException {
    return delegate.decrypt(token, secret);
  }

  @Override
  public JsonWebToken parseOnly(String token) throws ParseException {
    return delegate.parseOnly(token);
  }
}
