package io.whispyrkeep.audit.chain;

import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.crypto.RsaKeyFiles;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Signed checkpoints of the chain heads. A hash chain alone proves order and integrity only against
 * someone who cannot rewrite the whole chain; whoever can write to the database can also recompute
 * every hash after an edit. A checkpoint signs {@code (chain, seq, hash, signedAt)} with an RSA key
 * that lives outside the database, so such a rewrite no longer matches the signed heads.
 *
 * <p>The signed statement is the UTF-8 text {@code
 * whispyrkeep-audit-checkpoint/v1\n<chain>\n<seq>\n<hash hex>\n<signedAt ISO-8601>}, signed with
 * SHA256withRSA, so anyone holding the public key can check a checkpoint without this code.
 */
@ApplicationScoped
@Startup
public class Checkpoints {

  private static final Logger LOG = Logger.getLogger(Checkpoints.class);
  private static final String ALGORITHM = "SHA256withRSA";

  /** The outcome of checking one stored checkpoint's signature. */
  public enum SignatureCheck {
    VALID,
    INVALID,
    UNKNOWN_KEY
  }

  private final Pool pool;
  private final Clock clock;
  private final Optional<RsaKeyFiles.RsaKey> signingKey;
  private final Map<String, RSAPublicKey> trustedKeys;

  Checkpoints(Pool pool, Clock clock, AuditConfig config) {
    this.pool = pool;
    this.clock = clock;
    this.signingKey = config.checkpoint().signingKeyFile().map(RsaKeyFiles::load);
    Map<String, RSAPublicKey> trusted = new LinkedHashMap<>();
    signingKey.ifPresent(key -> trusted.put(key.keyId(), key.publicKey()));
    for (Path file : config.checkpoint().previousPublicKeyFiles().orElse(List.of())) {
      RSAPublicKey key = readPublicKey(file);
      trusted.put(RsaKeyFiles.thumbprint(key), key);
    }
    this.trustedKeys = Map.copyOf(trusted);
    if (signingKey.isEmpty()) {
      LOG.warn(
          "whispyrkeep.audit.checkpoint.signing-key-file is not set: chain heads are not signed,"
              + " so a rewrite of a whole chain would not be detected");
    }
  }

  /** Whether a signing key is configured. */
  public boolean enabled() {
    return signingKey.isPresent();
  }

  @Scheduled(
      every = "${whispyrkeep.audit.checkpoint.every:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduled() {
    return signMovedHeads()
        .onFailure()
        .invoke(e -> LOG.warnf("chain checkpoints not signed this time: %s", e.toString()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** Signs the head of every chain that moved since its last checkpoint; returns how many. */
  public Uni<Integer> signMovedHeads() {
    if (signingKey.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    RsaKeyFiles.RsaKey key = signingKey.get();
    return pool.query(
            "SELECT h.chain, h.seq, h.hash FROM audit_chain_head h WHERE h.seq > 0 AND h.seq >"
                + " coalesce((SELECT max(c.seq) FROM audit_checkpoint c WHERE c.chain = h.chain),"
                + " 0)")
        .execute()
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(
            heads -> {
              Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
              List<Tuple> rows = new ArrayList<>();
              for (Row head : heads) {
                int chain = head.getInteger("chain");
                long seq = head.getLong("seq");
                byte[] hash = head.getBuffer("hash").getBytes();
                byte[] signature = sign(key, statement(chain, seq, hash, now));
                rows.add(
                    Tuple.tuple()
                        .addInteger(chain)
                        .addLong(seq)
                        .addBuffer(Buffer.buffer(hash))
                        .addOffsetDateTime(OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                        .addString(key.keyId())
                        .addBuffer(Buffer.buffer(signature)));
              }
              return rows;
            })
        .chain(
            rows ->
                rows.isEmpty()
                    ? Uni.createFrom().item(0)
                    : pool.preparedQuery(
                            "INSERT INTO audit_checkpoint (chain, seq, hash, signed_at, key_id,"
                                + " signature) VALUES ($1, $2, $3, $4, $5, $6)"
                                + " ON CONFLICT DO NOTHING")
                        .executeBatch(rows)
                        .replaceWith(rows.size()));
  }

  /** Checks a stored checkpoint's signature against the trusted keys. CPU-bound: call off-loop. */
  public SignatureCheck check(
      int chain, long seq, byte[] hash, Instant signedAt, String keyId, byte[] signature) {
    RSAPublicKey key = trustedKeys.get(keyId);
    if (key == null) {
      return SignatureCheck.UNKNOWN_KEY;
    }
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(statement(chain, seq, hash, signedAt));
      return verifier.verify(signature) ? SignatureCheck.VALID : SignatureCheck.INVALID;
    } catch (GeneralSecurityException e) {
      return SignatureCheck.INVALID;
    }
  }

  /** The exact bytes a checkpoint signs. */
  static byte[] statement(int chain, long seq, byte[] hash, Instant signedAt) {
    return ("whispyrkeep-audit-checkpoint/v1\n"
            + chain
            + "\n"
            + seq
            + "\n"
            + HexFormat.of().formatHex(hash)
            + "\n"
            + signedAt.truncatedTo(ChronoUnit.MICROS))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sign(RsaKeyFiles.RsaKey key, byte[] statement) {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key.privateKey());
      signer.update(statement);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("checkpoint signing failed", e);
    }
  }

  private static RSAPublicKey readPublicKey(Path file) {
    try {
      String base64 =
          Files.readString(file)
              .replaceAll("-----BEGIN PUBLIC KEY-----|-----END PUBLIC KEY-----|\\s", "");
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read public key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("key " + file + " is not a PEM RSA public key", e);
    }
  }
}
