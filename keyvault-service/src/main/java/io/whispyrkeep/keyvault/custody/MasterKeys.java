package io.whispyrkeep.keyvault.custody;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * The embedded engine's master keys (KEKs): the current one wraps new key versions, retired ones
 * only open older wraps until those are re-wrapped. Each is named by its id, a short hash, stored
 * beside every wrap so a row says which key opens it; the id reveals nothing of the key. A wrap is
 * AES-256-GCM of the version key with the key name, version and KEK id as associated data, so a
 * wrapped key copied onto another row does not open.
 */
final class MasterKeys {

  private static final Logger LOG = Logger.getLogger(MasterKeys.class);

  /** AES-256: exactly 32 bytes, no more and no less. */
  static final int KEY_BYTES = 32;

  private static final byte[] ID_LABEL = LocalTransitCrypto.ascii("whispyrkeep/transit/v1/kek-id");
  private static final byte[] WRAP_LABEL = LocalTransitCrypto.ascii("whispyrkeep/transit/v1/wrap");

  /** A version key wrapped under the master key {@code kekId}. */
  record Wrapped(String kekId, byte[] bytes) {}

  private final String currentId;
  private final Map<String, SecretKey> byId;
  private final SecureRandom random = new SecureRandom();

  private MasterKeys(String currentId, Map<String, SecretKey> byId) {
    this.currentId = currentId;
    this.byId = Map.copyOf(byId);
  }

  /**
   * The master keys from configuration; {@link IllegalStateException} (naming the setting, never
   * the value) unless exactly one current key is set and every key is base64 of 32 bytes.
   */
  static MasterKeys load(
      Optional<String> masterKey,
      Optional<Path> masterKeyFile,
      List<String> previousMasterKeys,
      List<Path> previousMasterKeyFiles) {
    Optional<String> inline = masterKey.filter(value -> !value.isBlank());
    if (inline.isPresent() && masterKeyFile.isPresent()) {
      throw new IllegalStateException(
          "both whispyrkeep.keyvault.custody.local.master-key and master-key-file are set;"
              + " set one");
    }
    byte[] current;
    if (inline.isPresent()) {
      current = decode(inline.get(), "whispyrkeep.keyvault.custody.local.master-key");
    } else if (masterKeyFile.isPresent()) {
      current = decode(read(masterKeyFile.get()), "master key file " + masterKeyFile.get());
    } else {
      throw new IllegalStateException(
          "the local transit engine needs a master key: set"
              + " whispyrkeep.keyvault.custody.local.master-key-file (or .master-key), base64 of"
              + " 32 random bytes");
    }
    List<byte[]> previous = new ArrayList<>();
    for (int i = 0; i < previousMasterKeys.size(); i++) {
      previous.add(
          decode(
              previousMasterKeys.get(i),
              "whispyrkeep.keyvault.custody.local.previous-master-keys[" + i + "]"));
    }
    for (Path file : previousMasterKeyFiles) {
      previous.add(decode(read(file), "previous master key file " + file));
    }
    return of(current, previous);
  }

  /** From raw keys (each exactly 32 bytes); the arrays are cleared. */
  static MasterKeys of(byte[] current, List<byte[]> previous) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String currentId = idOf(current);
    keys.put(currentId, toKey(current));
    for (byte[] key : previous) {
      keys.putIfAbsent(idOf(key), toKey(key));
    }
    return new MasterKeys(currentId, keys);
  }

  /** The current master key's id. */
  String currentId() {
    return currentId;
  }

  /** Whether {@code kekId} names a configured (current or retired) master key. */
  boolean knows(String kekId) {
    return byId.containsKey(kekId);
  }

  /** Wraps a version key under the current master key. */
  Wrapped wrap(String keyName, int version, byte[] versionKey) {
    byte[] bytes =
        LocalTransitCrypto.seal(
            byId.get(currentId), associatedData(keyName, version, currentId), versionKey, random);
    return new Wrapped(currentId, bytes);
  }

  /**
   * Opens a wrapped version key; {@link CustodyUnavailableException} when its master key is not
   * configured or the wrap does not open (altered, or moved from another row).
   */
  byte[] unwrap(String keyName, int version, Wrapped wrapped) {
    SecretKey kek = byId.get(wrapped.kekId());
    if (kek == null) {
      throw new CustodyUnavailableException(
          "version "
              + version
              + " of transit key "
              + keyName
              + " is wrapped under master key "
              + wrapped.kekId()
              + ", which is not configured");
    }
    try {
      byte[] key =
          LocalTransitCrypto.open(
              kek, associatedData(keyName, version, wrapped.kekId()), wrapped.bytes());
      if (key.length != LocalTransitCrypto.KEY_BYTES) {
        Arrays.fill(key, (byte) 0);
        throw new CustodyUnavailableException(
            "version " + version + " of transit key " + keyName + " has a key of the wrong size");
      }
      return key;
    } catch (AEADBadTagException | CiphertextRefusedException e) {
      throw new CustodyUnavailableException(
          "version "
              + version
              + " of transit key "
              + keyName
              + " does not open under master key "
              + wrapped.kekId());
    }
  }

  /** The id of a master key: the first 8 bytes of a labelled SHA-256 of it, in hex. */
  static String idOf(byte[] kek) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(ID_LABEL);
      byte[] digest = sha256.digest(kek);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static byte[] associatedData(String keyName, int version, String kekId) {
    return LocalTransitCrypto.fields(
        WRAP_LABEL,
        keyName.getBytes(StandardCharsets.UTF_8),
        LocalTransitCrypto.int32(version),
        kekId.getBytes(StandardCharsets.US_ASCII));
  }

  private static SecretKey toKey(byte[] raw) {
    if (raw.length != KEY_BYTES) {
      throw new IllegalStateException("a master key must be " + KEY_BYTES + " bytes");
    }
    try {
      return new SecretKeySpec(raw, "AES");
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Base64 of exactly 32 bytes that are not all the same; whitespace around it is ignored. */
  private static byte[] decode(String base64, String source) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(source + " is not base64");
    }
    if (raw.length != KEY_BYTES) {
      int length = raw.length;
      Arrays.fill(raw, (byte) 0);
      throw new IllegalStateException(
          source + " must be base64 of exactly " + KEY_BYTES + " random bytes; it holds " + length);
    }
    boolean uniform = true;
    for (byte b : raw) {
      uniform &= b == raw[0];
    }
    if (uniform) {
      throw new IllegalStateException(source + " is not random (every byte is the same)");
    }
    return raw;
  }

  /** A master key file others may read is worth a warning (the launcher writes them 0600). */
  private static void warnIfShared(Path file) throws IOException {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.OTHERS_READ)
          || permissions.contains(PosixFilePermission.GROUP_READ)) {
        LOG.warnf("custody: master key file %s is readable by other users; make it 0600", file);
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  private static String read(Path file) {
    try {
      warnIfShared(file);
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }
}
