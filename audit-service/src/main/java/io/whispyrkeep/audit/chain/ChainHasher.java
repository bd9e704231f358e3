package io.whispyrkeep.audit.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The chain's arithmetic: canonical JSON (object keys sorted, no insignificant whitespace) and
 * {@code hash = SHA-256(previousHash || canonicalJson)}. The genesis hash of every chain is 32 zero
 * bytes.
 */
public final class ChainHasher {

  /** Hash before the first row of a chain. */
  public static final byte[] GENESIS = new byte[32];

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private ChainHasher() {}

  /** Canonical text of an event: sorted keys at every level, compact. */
  public static String canonicalJson(JsonNode event) {
    try {
      Object tree = CANONICAL.treeToValue(event, Object.class);
      return CANONICAL.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event cannot be canonicalised", e);
    }
  }

  public static byte[] link(byte[] previousHash, String canonicalJson) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(previousHash);
      digest.update(canonicalJson.getBytes(StandardCharsets.UTF_8));
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
