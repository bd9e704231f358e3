package io.whispyrkeep.testsupport.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in, not Vault: proves wiring only. An HTTP server that answers the few calls of Vault's
 * transit API that custody makes, in the shapes and with the error texts Vault documents, so that
 * quarkus-vault's real client and the service's error mapping and fault tolerance can be tested
 * where no Vault can run. It does not prove that Vault behaves so: tests against a real Vault are
 * marked {@link RequiresVault}.
 *
 * <p>What it answers (any mount path; {@code X-Vault-Token} must be the token it was started with,
 * else 403 as Vault):
 *
 * <ul>
 *   <li>{@code POST <mount>/keys/<name>} ({@code derived}, {@code type} aes256-gcm96 only), {@code
 *       GET <mount>/keys/<name>}, {@code POST .../rotate}, {@code POST .../config} ({@code
 *       min_decryption_version}, which Vault allows to lower and refuses above the newest version);
 *   <li>{@code POST <mount>/encrypt|decrypt|rewrap/<name>}, single or {@code batch_input}, with
 *       {@code partial_failure_response_code}: 400 with per-item errors when any item fails, that
 *       code instead when some succeed; encrypt creates a missing key (derived when a context is
 *       given), as Vault does for a token allowed to;
 *   <li>{@code GET sys/health} and {@code GET auth/token/lookup-self}.
 * </ul>
 *
 * Crypto as Vault's derived AES-256-GCM keys: a random 256-bit key per version, HKDF-SHA256 with
 * the context as info, a random 96-bit nonce, {@code vault:v<N>:base64(nonce|ciphertext|tag)}. A
 * non-derived key ignores the context, as Vault does. Base64 is decoded as Go does (CR and LF
 * ignored, padding required, trailing bits ignored); {@code vault:v0:} reads as version 1.
 *
 * <p>Vault's failure modes can be injected over HTTP ({@link #inject}), so tests in the
 * application's class loader can use it: sealed (503), permission denied (403), internal error
 * (500), slow answers, dropped connections.
 */
public final class VaultTransitStandIn implements AutoCloseable {

  /** Failures to inject, each as Vault (or a network) shows it. */
  public enum Fault {
    NONE,
    /** 503 {@code Vault is sealed}. */
    SEALED,
    /** 403 {@code permission denied}. */
    DENIED,
    /** 500 {@code internal error}. */
    SERVER_ERROR,
    /** Answers normally after a delay. */
    SLOW,
    /** Closes the connection without an answer. */
    DROP
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern KEY_PATH =
      Pattern.compile("/v1/(.+)/keys/([^/]+)(/rotate|/config)?");
  private static final Pattern CRYPTO_PATH =
      Pattern.compile("/v1/(.+)/(encrypt|decrypt|rewrap)/([^/]+)");
  private static final String TOO_OLD =
      "ciphertext or signature version is disallowed by policy (too old)";
  private static final String MISSING_CONTEXT =
      "missing 'context' for key derivation; the key was created using a derived key, which means"
          + " additional, per-request information must be included in order to perform operations"
          + " with the key";

  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] token;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, TransitKey> keys = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile int faultTimes;
  private volatile long delayMillis;

  private VaultTransitStandIn(String token) throws IOException {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.executor =
        Executors.newFixedThreadPool(
            16,
            runnable -> {
              Thread thread = new Thread(runnable, "vault-stand-in");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/v1/", this::vault);
    server.createContext("/stand-in/", this::control);
    server.start();
  }

  /** Starts a stand-in on a free loopback port that accepts {@code token}. */
  public static VaultTransitStandIn start(String token) {
    try {
      return new VaultTransitStandIn(token);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * Makes the stand-in at {@code url} fail with {@code fault} for the next {@code times} Vault
   * requests ({@code -1}: until cleared), each answer delayed by {@code delay} for {@link
   * Fault#SLOW}.
   */
  public static void inject(String url, Fault fault, int times, Duration delay) {
    send(
        url
            + "/stand-in/fault?mode="
            + fault.name()
            + "&times="
            + times
            + "&delayMillis="
            + delay.toMillis(),
        "POST");
  }

  /** Ends any injected fault. */
  public static void clear(String url) {
    inject(url, Fault.NONE, 0, Duration.ZERO);
  }

  /** Vault requests answered (or failed) so far, health checks included. */
  public static long requests(String url) {
    return Long.parseLong(send(url + "/stand-in/requests", "GET").trim());
  }

  private static String send(String uri, String method) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(uri))
                      .method(method, HttpRequest.BodyPublishers.noBody())
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("stand-in control answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void control(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/stand-in/requests")) {
        respondText(exchange, 200, Long.toString(requests.get()));
        return;
      }
      if (path.equals("/stand-in/fault")) {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        delayMillis = Long.parseLong(query.getOrDefault("delayMillis", "0"));
        faultTimes = Integer.parseInt(query.getOrDefault("times", "-1"));
        fault = Fault.valueOf(query.getOrDefault("mode", "NONE"));
        respondText(exchange, 200, "ok");
        return;
      }
      respondText(exchange, 404, "no such control");
    }
  }

  private void vault(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    Fault active = takeFault();
    if (active == Fault.DROP) {
      exchange.close();
      return;
    }
    try (exchange) {
      switch (active) {
        case SEALED -> {
          respond(exchange, 503, errors("Vault is sealed"));
          return;
        }
        case DENIED -> {
          respond(exchange, 403, errors("1 error occurred:\n\t* permission denied\n\n"));
          return;
        }
        case SERVER_ERROR -> {
          respond(exchange, 500, errors("1 error occurred:\n\t* internal error\n\n"));
          return;
        }
        case SLOW -> sleep(delayMillis);
        default -> {
          // answer normally
        }
      }
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/v1/sys/health")) {
        respond(
            exchange,
            200,
            JSON.createObjectNode()
                .put("initialized", true)
                .put("sealed", false)
                .put("standby", false)
                .put("version", "stand-in"));
        return;
      }
      String presented = exchange.getRequestHeaders().getFirst("X-Vault-Token");
      if (presented == null
          || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token)) {
        respond(exchange, 403, errors("permission denied"));
        return;
      }
      if (path.equals("/v1/auth/token/lookup-self")) {
        ObjectNode data = JSON.createObjectNode().put("ttl", 0).put("renewable", false);
        data.putArray("policies").add("root");
        respond(exchange, 200, envelope(data));
        return;
      }
      JsonNode body = readBody(exchange);
      Matcher key = KEY_PATH.matcher(path);
      if (key.matches()) {
        keys(exchange, method, key.group(1) + "/" + key.group(2), key.group(3), body);
        return;
      }
      Matcher crypto = CRYPTO_PATH.matcher(path);
      if (crypto.matches() && method.equals("POST")) {
        crypto(exchange, crypto.group(2), crypto.group(1) + "/" + crypto.group(3), body);
        return;
      }
      respond(exchange, 404, errors());
    }
  }

  private synchronized Fault takeFault() {
    Fault current = fault;
    if (current == Fault.NONE || faultTimes == 0) {
      return Fault.NONE;
    }
    if (faultTimes > 0) {
      faultTimes--;
    }
    return current;
  }

  private void keys(HttpExchange exchange, String method, String id, String action, JsonNode body)
      throws IOException {
    TransitKey key = keys.get(id);
    if (action == null && method.equals("POST")) {
      String type = body.path("type").asText("aes256-gcm96");
      if (!type.equals("aes256-gcm96") || body.path("convergent_encryption").asBoolean(false)) {
        respond(exchange, 400, errors("the stand-in supports aes256-gcm96 keys only"));
        return;
      }
      keys.computeIfAbsent(id, ignored -> new TransitKey(body.path("derived").asBoolean(false)));
      respondEmpty(exchange);
      return;
    }
    if (action == null && method.equals("GET")) {
      if (key == null) {
        respond(exchange, 404, errors());
        return;
      }
      respond(exchange, 200, envelope(key.describe(id.substring(id.lastIndexOf('/') + 1))));
      return;
    }
    if (key == null) {
      respond(exchange, 400, errors("key not found"));
      return;
    }
    if ("/rotate".equals(action)) {
      key.rotate();
      respondEmpty(exchange);
      return;
    }
    if ("/config".equals(action)) {
      if (body.has("min_decryption_version")) {
        String refusal = key.setMinDecryptionVersion(body.get("min_decryption_version").asInt());
        if (refusal != null) {
          respond(exchange, 400, errors(refusal));
          return;
        }
      }
      respondEmpty(exchange);
      return;
    }
    respond(exchange, 405, errors());
  }

  private void crypto(HttpExchange exchange, String operation, String id, JsonNode body)
      throws IOException {
    TransitKey key = keys.get(id);
    if (key == null && operation.equals("encrypt")) {
      JsonNode first = body.has("batch_input") ? body.path("batch_input").path(0) : body;
      key = keys.computeIfAbsent(id, ignored -> new TransitKey(first.hasNonNull("context")));
    }
    if (key == null) {
      respond(exchange, 400, errors("encryption key not found"));
      return;
    }
    boolean batch = body.has("batch_input");
    List<JsonNode> items = new ArrayList<>();
    if (batch) {
      body.get("batch_input").forEach(items::add);
    } else {
      items.add(body);
    }
    ArrayNode results = JSON.createArrayNode();
    int failures = 0;
    for (JsonNode item : items) {
      ObjectNode result = JSON.createObjectNode();
      try {
        byte[] context = decodeOptional(item.path("context"), "failed to base64-decode context");
        switch (operation) {
          case "encrypt" -> seal(key, context, plaintext(item), result);
          case "decrypt" -> {
            byte[] plaintext = key.decrypt(item.path("ciphertext").asText(""), context);
            result.put("plaintext", Base64.getEncoder().encodeToString(plaintext));
          }
          default -> {
            byte[] plaintext = key.decrypt(item.path("ciphertext").asText(""), context);
            seal(key, context, plaintext, result);
          }
        }
      } catch (Refusal refusal) {
        failures++;
        result.removeAll();
        result.put("error", refusal.getMessage());
      }
      if (item.has("reference")) {
        result.set("reference", item.get("reference"));
      }
      results.add(result);
    }
    if (!batch) {
      if (failures > 0) {
        respond(exchange, 400, errors(results.get(0).get("error").asText()));
      } else {
        respond(exchange, 200, envelope((ObjectNode) results.get(0)));
      }
      return;
    }
    ObjectNode data = JSON.createObjectNode();
    data.set("batch_results", results);
    int status = 200;
    if (failures > 0) {
      status = 400;
      int partial = body.path("partial_failure_response_code").asInt(0);
      if (failures < items.size() && partial >= 1 && partial <= 599) {
        status = partial;
      }
    }
    respond(exchange, status, envelope(data));
  }

  private void seal(TransitKey key, byte[] context, byte[] plaintext, ObjectNode result) {
    int version = key.latestVersion();
    result.put("ciphertext", key.encrypt(version, context, plaintext));
    result.put("key_version", version);
  }

  private static byte[] plaintext(JsonNode item) {
    if (!item.has("plaintext")) {
      throw new Refusal("missing plaintext to encrypt");
    }
    return decode(item.get("plaintext").asText(), "failed to base64-decode plaintext");
  }

  /** A refusal as Vault words it (a 400, or a batch item's error). */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /** One transit key: versions of random 256-bit keys, derived per context when {@code derived}. */
  private final class TransitKey {
    private final boolean derived;
    private final List<byte[]> versions = new ArrayList<>();
    private final List<Long> created = new ArrayList<>();
    private int minDecryptionVersion = 1;

    TransitKey(boolean derived) {
      this.derived = derived;
      rotate();
    }

    synchronized void rotate() {
      byte[] key = new byte[32];
      random.nextBytes(key);
      versions.add(key);
      created.add(System.currentTimeMillis() / 1000);
    }

    synchronized int latestVersion() {
      return versions.size();
    }

    synchronized String setMinDecryptionVersion(int version) {
      if (version > versions.size()) {
        return "cannot set min decryption version of "
            + version
            + ", latest key version is "
            + versions.size();
      }
      minDecryptionVersion = Math.max(1, version);
      return null;
    }

    synchronized ObjectNode describe(String name) {
      ObjectNode data =
          JSON.createObjectNode()
              .put("name", name)
              .put("type", "aes256-gcm96")
              .put("derived", derived)
              .put("convergent_encryption", false)
              .put("deletion_allowed", false)
              .put("exportable", false)
              .put("allow_plaintext_backup", false)
              .put("imported_key", false)
              .put("latest_version", versions.size())
              .put("min_available_version", 0)
              .put("min_decryption_version", minDecryptionVersion)
              .put("min_encryption_version", 0)
              .put("supports_encryption", true)
              .put("supports_decryption", true)
              .put("supports_derivation", true)
              .put("supports_signing", false);
      if (derived) {
        data.put("kdf", "hkdf_sha256");
      }
      ObjectNode times = data.putObject("keys");
      for (int i = 0; i < created.size(); i++) {
        times.put(Integer.toString(i + 1), created.get(i));
      }
      return data;
    }

    String encrypt(int version, byte[] context, byte[] plaintext) {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(
            Cipher.ENCRYPT_MODE,
            new SecretKeySpec(key(version, context), "AES"),
            new GCMParameterSpec(128, nonce));
        byte[] sealed = cipher.doFinal(plaintext);
        byte[] body = new byte[nonce.length + sealed.length];
        System.arraycopy(nonce, 0, body, 0, nonce.length);
        System.arraycopy(sealed, 0, body, nonce.length, sealed.length);
        return "vault:v" + version + ":" + Base64.getEncoder().encodeToString(body);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    byte[] decrypt(String ciphertext, byte[] context) {
      if (ciphertext.isEmpty()) {
        throw new Refusal("missing ciphertext to decrypt");
      }
      if (!ciphertext.startsWith("vault:v")) {
        throw new Refusal("invalid ciphertext: no prefix");
      }
      String rest = ciphertext.substring("vault:v".length());
      int colon = rest.indexOf(':');
      if (colon < 0) {
        throw new Refusal("invalid ciphertext: wrong number of fields");
      }
      int version;
      try {
        version = Integer.parseInt(rest.substring(0, colon));
      } catch (NumberFormatException e) {
        throw new Refusal("invalid ciphertext: version number could not be decoded");
      }
      if (version == 0) {
        version = 1;
      }
      synchronized (this) {
        if (version > versions.size()) {
          throw new Refusal("invalid ciphertext: version is too new");
        }
        if (version < minDecryptionVersion) {
          throw new Refusal(TOO_OLD);
        }
      }
      byte[] body =
          decode(rest.substring(colon + 1), "invalid ciphertext: could not decode base64");
      byte[] key = key(version, context);
      if (body.length < 12) {
        throw new Refusal("invalid ciphertext length");
      }
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(
            Cipher.DECRYPT_MODE,
            new SecretKeySpec(key, "AES"),
            new GCMParameterSpec(128, body, 0, 12));
        return cipher.doFinal(body, 12, body.length - 12);
      } catch (AEADBadTagException e) {
        throw new Refusal("cipher: message authentication failed");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The version's key, or for a derived key HKDF-SHA256(key, no salt, info = context). */
    private byte[] key(int version, byte[] context) {
      byte[] key;
      synchronized (this) {
        key = versions.get(version - 1);
      }
      if (!derived) {
        return key;
      }
      if (context == null || context.length == 0) {
        throw new Refusal(MISSING_CONTEXT);
      }
      return hkdfSha256(key, context);
    }
  }

  /** RFC 5869 with a zero salt and one block of output (32 bytes), as Vault derives keys. */
  static byte[] hkdfSha256(byte[] ikm, byte[] info) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update(info);
      mac.update((byte) 1);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Base64 as Go's StdEncoding decodes it: CR and LF ignored, padding required, trailing bits
   * ignored.
   */
  private static byte[] decode(String text, String refusal) {
    String base64 = text.replace("\r", "").replace("\n", "");
    if (base64.length() % 4 != 0) {
      throw new Refusal(refusal);
    }
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new Refusal(refusal);
    }
  }

  private static byte[] decodeOptional(JsonNode value, String refusal) {
    if (value.isMissingNode() || value.isNull() || value.asText().isEmpty()) {
      return null;
    }
    return decode(value.asText(), refusal);
  }

  private static JsonNode readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    }
  }

  private static ObjectNode envelope(ObjectNode data) {
    ObjectNode envelope =
        JSON.createObjectNode()
            .put("request_id", java.util.UUID.randomUUID().toString())
            .put("lease_id", "")
            .put("renewable", false)
            .put("lease_duration", 0);
    envelope.set("data", data);
    envelope.putNull("wrap_info");
    envelope.putNull("warnings");
    envelope.putNull("auth");
    return envelope;
  }

  private static ObjectNode errors(String... messages) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("errors");
    Arrays.stream(messages).forEach(list::add);
    return body;
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void respondEmpty(HttpExchange exchange) throws IOException {
    exchange.sendResponseHeaders(204, -1);
  }

  private static void respondText(HttpExchange exchange, int status, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new HashMap<>();
    if (raw == null) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        values.put(pair.substring(0, equals), pair.substring(equals + 1));
      }
    }
    return values;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
