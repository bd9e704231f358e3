package io.whispyrkeep.keyvault.custody;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A transit key of the embedded engine: its newest version and minimum decryption version. */
@Entity
@Table(name = "local_transit_key")
public class LocalTransitKey extends PanacheEntityBase {

  @Id public String name;

  @Column(name = "latest_version", nullable = false)
  public int latestVersion;

  @Column(name = "min_decryption_version", nullable = false)
  public int minDecryptionVersion;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  TransitKeyInfo info() {
    return new TransitKeyInfo(latestVersion, minDecryptionVersion);
  }
}
