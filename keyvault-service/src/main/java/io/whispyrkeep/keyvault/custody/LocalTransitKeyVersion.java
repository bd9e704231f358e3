package io.whispyrkeep.keyvault.custody;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** One version of a transit key: a random 256-bit key, stored only wrapped under a master key. */
@Entity
@Table(name = "local_transit_key_version")
@IdClass(LocalTransitKeyVersion.Key.class)
public class LocalTransitKeyVersion extends PanacheEntityBase {

  @Id
  @Column(name = "key_name")
  public String keyName;

  @Id public int version;

  /** {@code nonce | AES-256-GCM(master key, version key) | tag}. */
  @Column(name = "wrapped_key", nullable = false)
  public byte[] wrappedKey;

  /** Id of the master key that opens {@link #wrappedKey}. */
  @Column(name = "kek_id", nullable = false)
  public String kekId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  MasterKeys.Wrapped wrapped() {
    return new MasterKeys.Wrapped(kekId, wrappedKey);
  }

  /** The composite id: key name and version. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    public String keyName;
    public int version;

    public Key() {}

    public Key(String keyName, int version) {
      this.keyName = keyName;
      this.version = version;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && version == key.version && keyName.equals(key.keyName);
    }

    @Override
    public int hashCode() {
      return Objects.hash(keyName, version);
    }
  }
}
