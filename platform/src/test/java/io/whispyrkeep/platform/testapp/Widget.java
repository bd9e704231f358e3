package io.whispyrkeep.platform.testapp;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.util.UUID;

/** A test-only entity: the "change" whose security event must commit with it. */
@Entity
public class Widget extends PanacheEntityBase {
  @Id public UUID id;
  public String name;
}
