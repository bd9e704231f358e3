package io.whispyrkeep.keyvault.rotation;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One rewrap of every stored ciphertext to {@link #targetVersion}. Its progress is committed batch
 * by batch, and the worker holding its lease renews it with each batch: if the worker dies, the
 * lease runs out and any replica resumes the run where it stopped.
 */
@Entity
@Table(name = "rewrap_run")
public class RewrapRun extends PanacheEntityBase {

  public static final String RUNNING = "running";
  public static final String FINISHED = "finished";
  public static final String FAILED = "failed";

  @Id public UUID id;

  @Column(name = "target_version", nullable = false)
  public int targetVersion;

  @Column(nullable = false)
  public String state;

  /** Rows behind the target version when the run started. */
  @Column(nullable = false)
  public int total;

  /** Rows re-encrypted so far by this run. */
  @Column(nullable = false)
  public int rewrapped;

  @Column(name = "started_by", nullable = false)
  public String startedBy;

  /** The worker (replica and attempt) holding the lease. */
  @Column public String worker;

  @Column(name = "lease_until")
  public Instant leaseUntil;

  @Column(name = "started_at", nullable = false)
  public Instant startedAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  /** Why the run failed (a stable, secret-free reason), if it did. */
  @Column(name = "last_error")
  public String lastError;
}
