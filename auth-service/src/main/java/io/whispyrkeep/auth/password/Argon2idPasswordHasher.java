package io.whispyrkeep.auth.password;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import io.whispyrkeep.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * argon2id through the reference C implementation (argon2-jvm bundles libargon2), PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}). The native library is about 1.4x faster than
 * a pure-Java one here, which is login throughput. Callers run it off the event loop ({@link
 * HashingExecutor}).
 */
@ApplicationScoped
public class Argon2idPasswordHasher implements PasswordHasher {

  /** Salt length in bytes (RFC 9106 recommends 16). */
  static final int DEFAULT_SALT_LENGTH = 16;

  /** Hash length in bytes (RFC 9106 recommends 32). */
  static final int DEFAULT_HASH_LENGTH = 32;

  private static final Pattern PARAMETERS =
      Pattern.compile("^\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$");

  private final Argon2 argon2 =
      Argon2Factory.create(
          Argon2Factory.Argon2Types.ARGON2id, DEFAULT_SALT_LENGTH, DEFAULT_HASH_LENGTH);
  private final int memoryKib;
  private final int iterations;
  private final int parallelism;

  @Inject
  Argon2idPasswordHasher(AuthConfig config) {
    this(
        config.hashing().memoryKib(),
        config.hashing().iterations(),
        config.hashing().parallelism());
  }

  public Argon2idPasswordHasher(int memoryKib, int iterations, int parallelism) {
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
  }

  @Override
  public String hash(char[] password) {
    return argon2.hash(iterations, memoryKib, parallelism, password);
  }

  @Override
  public boolean verify(String encodedHash, char[] password) {
    if (encodedHash == null || !encodedHash.startsWith("$argon2id$")) {
      return false;
    }
    try {
      return argon2.verify(encodedHash, password);
    } catch (IllegalStateException e) {
      return false;
    }
  }

  @Override
  public boolean needsRehash(String encodedHash) {
    Matcher matcher = PARAMETERS.matcher(encodedHash);
    if (!matcher.find()) {
      return true;
    }
    return Integer.parseInt(matcher.group(1)) < memoryKib
        || Integer.parseInt(matcher.group(2)) < iterations
        || Integer.parseInt(matcher.group(3)) < parallelism;
  }
}
