package io.whispyrkeep.auth.password;

/** One password hashing algorithm, with its encoded (PHC string) form. */
public interface PasswordHasher {

  /** The PHC string of a new salted hash. */
  String hash(char[] password);

  /** Whether the password matches the PHC string; false for a malformed hash. */
  boolean verify(String encodedHash, char[] password);

  /** Whether the hash was made with weaker parameters than today's and should be replaced. */
  boolean needsRehash(String encodedHash);
}
