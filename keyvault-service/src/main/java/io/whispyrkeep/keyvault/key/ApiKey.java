package io.whispyrkeep.keyvault.key;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A player's API key for one provider, held only as transit ciphertext whose derivation context is
 * the owner's id: copied onto another player's row, it does not decrypt.
 */
@Entity
@Table(name = "api_key")
public class ApiKey extends PanacheEntityBase {

  @Id public UUID id;

  /** The player ({@code sub} of their token). */
  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String provider;

  /** {@code vault:v<N>:...}; never plaintext (a CHECK constraint refuses anything else). */
  @Column(nullable = false)
  public String ciphertext;

  /** The transit key version of {@link #ciphertext}, kept for the rewrap job's index. */
  @Column(name = "key_version", nullable = false)
  public int keyVersion;

  @Column(nullable = false)
  public String last4;

  /** HMAC-SHA256 of the key under the service's fingerprint key: recognisable, not reversible. */
  @Column(nullable = false)
  public String fingerprint;

  /** The player's own base URL (openai-compatible), checked by the SSRF guard. */
  @Column(name = "base_url")
  public String baseUrl;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
