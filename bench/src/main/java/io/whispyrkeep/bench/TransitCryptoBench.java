package io.whispyrkeep.bench;

import io.whispyrkeep.keyvault.custody.LocalTransitCrypto;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The embedded transit engine's crypto core (keyvault-service's {@code LocalTransitCrypto}: cached
 * HKDF-SHA256 key per context, AES-256-GCM with a random nonce and bound associated data, strict
 * context encoding, {@code vault:v<N>:base64} framing and canonical-base64 check) beside raw JCA
 * AES-256-GCM (one fixed key, a random nonce, no framing), in one run on the same threads. It
 * measures the cost the engine's cryptography adds to the unavoidable AES-GCM, in memory: not the
 * engine's lookup of the key state (held in memory too), not the hop to its crypto threads, not
 * HTTP. Goal: core/raw at least 0.5.
 *
 * <p>Usage: {@code TransitCryptoBench <threads> <seconds> [users=1000] [plaintext bytes=64]}
 */
public final class TransitCryptoBench {

  private static final String KEY_NAME = "whispyrkeep-llm-keys";

  private static final SecureRandom RANDOM = new SecureRandom();

  private TransitCryptoBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int users = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    SecureRandom random = RANDOM;
    byte[] versionKey = new byte[32];
    random.nextBytes(versionKey);
    SecretKey rawKey = new SecretKeySpec(versionKey, "AES");
    byte[] plaintext = new byte[size];
    random.nextBytes(plaintext);
    String[] contexts = new String[users];
    for (int i = 0; i < users; i++) {
      contexts[i] = java.util.UUID.randomUUID().toString();
    }
    LocalTransitCrypto core = new LocalTransitCrypto(10_000);
    String[] coreCiphertexts = new String[users];
    byte[][] rawCiphertexts = new byte[users][];
    for (int i = 0; i < users; i++) {
      coreCiphertexts[i] = core.encrypt(KEY_NAME, 1, versionKey, contexts[i], plaintext);
      rawCiphertexts[i] = rawEncrypt(rawKey, plaintext, random);
    }

    IntFunction<Object> rawEncrypt = i -> rawEncrypt(rawKey, plaintext, random);
    IntFunction<Object> coreEncrypt =
        i -> core.encrypt(KEY_NAME, 1, versionKey, contexts[i % users], plaintext);
    IntFunction<Object> rawDecrypt = i -> rawDecrypt(rawKey, rawCiphertexts[i % users]);
    IntFunction<Object> coreDecrypt =
        i -> core.decrypt(KEY_NAME, 1, versionKey, contexts[i % users], coreCiphertexts[i % users]);

    // Warm-up of both paths, then the measured runs interleaved so drifting load hits both alike.
    for (IntFunction<Object> op : List.of(rawEncrypt, coreEncrypt, rawDecrypt, coreDecrypt)) {
      run(op, threads, 2);
    }
    double rawEnc = 0;
    double coreEnc = 0;
    double rawDec = 0;
    double coreDec = 0;
    int rounds = 2;
    for (int round = 0; round < rounds; round++) {
      rawEnc += run(rawEncrypt, threads, seconds) / rounds;
      coreEnc += run(coreEncrypt, threads, seconds) / rounds;
      rawDec += run(rawDecrypt, threads, seconds) / rounds;
      coreDec += run(coreDecrypt, threads, seconds) / rounds;
    }
    System.out.printf(
        "transit crypto, %d threads, %d s x %d rounds, %d users, %d-byte plaintexts%n",
        threads, seconds, rounds, users, size);
    System.out.printf(
        "RESULT encrypt: core %.0f ops/s vs raw JCA AES-GCM %.0f ops/s -> core/raw %.2f%n",
        coreEnc, rawEnc, coreEnc / rawEnc);
    System.out.printf(
        "RESULT decrypt: core %.0f ops/s vs raw JCA AES-GCM %.0f ops/s -> core/raw %.2f%n",
        coreDec, rawDec, coreDec / rawDec);
  }

  /** Operations per second of {@code op} on {@code threads} threads for {@code seconds}. */
  private static double run(IntFunction<Object> op, int threads, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> counts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * 7919;
        counts.add(
            pool.submit(
                () -> {
                  long done = 0;
                  Object sink = null;
                  while (System.nanoTime() < end) {
                    sink = op.apply((int) (offset + done));
                    done++;
                  }
                  if (sink == null) {
                    throw new IllegalStateException("no result");
                  }
                  return done;
                }));
      }
      long total = 0;
      for (Future<Long> count : counts) {
        total += count.get();
      }
      return total / (double) seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] rawEncrypt(SecretKey key, byte[] plaintext, SecureRandom random) {
    try {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] body = new byte[12 + sealed.length];
      System.arraycopy(nonce, 0, body, 0, 12);
      System.arraycopy(sealed, 0, body, 12, sealed.length);
      return body;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] rawDecrypt(SecretKey key, byte[] body) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, body, 0, 12));
      return cipher.doFinal(body, 12, body.length - 12);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
