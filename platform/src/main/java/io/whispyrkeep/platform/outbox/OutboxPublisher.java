package io.whispyrkeep.platform.outbox;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends outbox rows to Kafka with an idempotent producer and {@code acks=all}, and reports each
 * row's outcome. The producer takes every {@code kafka.*} property of the service (TLS, SASL in
 * production), then the outbox's own settings, which must not be overridden. Every record is signed
 * by {@link EventSigner} (signature and key id in headers). {@code send} can block while metadata
 * is missing (Kafka down), and signing is CPU work, so both run on one dedicated thread, never on
 * the event loop.
 */
@ApplicationScoped
public class OutboxPublisher {

  /** Outcome of one row: sent, or the reason it was not (safe to store: no payload in it). */
  public record Outcome(UUID id, boolean sent, String error) {}

  private final KafkaProducer<String, String> producer;
  private final EventSigner signer;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "outbox-publisher");
            thread.setDaemon(true);
            return thread;
          });

  OutboxPublisher(
      @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
      OutboxConfig config,
      EventSigner signer) {
    this.signer = signer;
    Map<String, Object> properties = new HashMap<>(kafkaConfig);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    properties.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis(config.deliveryTimeout()));
    properties.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        Math.min(millis(config.deliveryTimeout()) / 2, 10_000));
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis(config.maxBlock()));
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-relay-" + UUID.randomUUID());
    // Serializer instances, not class names: the client would load names through the thread's
    // context class loader, which is not the application's on a Vert.x thread.
    this.producer = new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
  }

  /** Sends the rows in order; the Uni completes when every row is acknowledged or has failed. */
  public Uni<List<Outcome>> publish(List<OutboxRow> rows) {
    return Uni.createFrom()
        .completionStage(() -> CompletableFuture.supplyAsync(() -> sendAll(rows), sender))
        .chain(futures -> Uni.createFrom().completionStage(allOf(futures)));
  }

  private List<CompletableFuture<Outcome>> sendAll(List<OutboxRow> rows) {
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(rows.size());
    for (OutboxRow row : rows) {
      CompletableFuture<Outcome> outcome = new CompletableFuture<>();
      try {
        Headers headers = signer.headers(row.payload());
        if (row.traceParent() != null) {
          // Outside the signed bytes on purpose: tracing metadata, never evidence.
          headers.add(TraceParent.HEADER, row.traceParent().getBytes(StandardCharsets.US_ASCII));
        }
        producer.send(
            new ProducerRecord<>(row.topic(), null, row.messageKey(), row.payload(), headers),
            (metadata, error) ->
                outcome.complete(
                    new Outcome(row.id(), error == null, error == null ? null : describe(error))));
      } catch (RuntimeException e) {
        outcome.complete(new Outcome(row.id(), false, describe(e)));
      }
      outcomes.add(outcome);
    }
    return outcomes;
  }

  private static CompletableFuture<List<Outcome>> allOf(List<CompletableFuture<Outcome>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
  }

  private static String describe(Throwable error) {
    String text = error.getClass().getSimpleName() + ": " + error.getMessage();
    return text.length() > 500 ? text.substring(0, 500) : text;
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
  }

  @PreDestroy
  void close() {
    sender.shutdown();
    producer.close(Duration.ofSeconds(5));
  }
}
