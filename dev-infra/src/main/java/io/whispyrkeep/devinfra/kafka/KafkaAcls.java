package io.whispyrkeep.devinfra.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The suite's Kafka ACLs, the same the deployment gives its KafkaUsers. The broker denies whatever
 * is not listed ({@code allow.everyone.if.no.acl.found=false}), so: every service may write {@code
 * security.events} (its outbox) and nothing else; only audit-service may read it, and only in its
 * consumer group {@code audit-service}, so no other principal can join that group or commit its
 * offsets; only audit-service writes the dead-letter and alert topics. Names are literal, never
 * prefixes. Topic names match {@code io.whispyrkeep.platform.event.SecurityEventTopics}.
 */
public final class KafkaAcls {

  /** Every security event of every service. */
  public static final String SECURITY_EVENTS = "security.events";

  public static final String SECURITY_EVENTS_DLQ = "security.events.dlq";
  public static final String SECURITY_ALERTS = "security.alerts";

  /** The only consumer group allowed to read {@link #SECURITY_EVENTS}. */
  public static final String AUDIT_GROUP = "audit-service";

  private static final String AUDIT = "audit-service";

  private KafkaAcls() {}

  /** The suite's bindings: who may write, read and consume what. */
  public static List<AclBinding> suiteAcls() {
    List<AclBinding> acls = new ArrayList<>();
    for (String service : KafkaCredentials.SERVICES) {
      acls.add(allow(service, ResourceType.TOPIC, SECURITY_EVENTS, AclOperation.WRITE));
    }
    acls.add(allow(AUDIT, ResourceType.TOPIC, SECURITY_EVENTS, AclOperation.READ));
    acls.add(allow(AUDIT, ResourceType.GROUP, AUDIT_GROUP, AclOperation.READ));
    acls.add(allow(AUDIT, ResourceType.TOPIC, SECURITY_EVENTS_DLQ, AclOperation.WRITE));
    acls.add(allow(AUDIT, ResourceType.TOPIC, SECURITY_ALERTS, AclOperation.WRITE));
    return acls;
  }

  /** Creates the suite's bindings (creating an existing binding again changes nothing). */
  public static void applySuiteAcls(KafkaServer kafka) {
    create(kafka, suiteAcls());
  }

  /**
   * Lets {@code principal} consume {@code topic} in {@code group}: for tests that run a consumer on
   * a topic and group of their own, never for the suite's topics.
   */
  public static void allowConsumer(
      KafkaServer kafka, String principal, String topic, String group) {
    create(
        kafka,
        List.of(
            allow(principal, ResourceType.TOPIC, topic, AclOperation.READ),
            allow(principal, ResourceType.GROUP, group, AclOperation.READ)));
  }

  /** Lets {@code principal} write {@code topic}: for tests with a topic of their own. */
  public static void allowProducer(KafkaServer kafka, String principal, String topic) {
    create(kafka, List.of(allow(principal, ResourceType.TOPIC, topic, AclOperation.WRITE)));
  }

  private static void create(KafkaServer kafka, List<AclBinding> acls) {
    try (Admin admin = kafka.admin()) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create Kafka ACLs", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka ACLs", e);
    }
  }

  private static AclBinding allow(
      String principal, ResourceType type, String name, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
  }
}
