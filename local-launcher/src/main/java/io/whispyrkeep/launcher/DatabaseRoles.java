package io.whispyrkeep.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL roles of the local run, the same split as in production: each service connects to
 * its own database as its own role, which owns that database and nothing else, and cannot connect
 * to another service's. audit-service has two: {@code wk_audit} owns the schema and runs the
 * migrations, {@code wk_audit_runtime} is what the running service connects as, granted by the
 * migrations only to read and append the trail (see V4__runtime_role_grants.sql).
 */
final class DatabaseRoles {

  static final String SUPERUSER = "postgres";

  /** audit-service's runtime role (its owner role is {@link #owner}). */
  static final String AUDIT_RUNTIME = "wk_audit_runtime";

  private DatabaseRoles() {}

  /** The role that owns a service's database and migrates it: {@code wk_<database>}. */
  static String owner(String service) {
    return "wk_" + LocalSuite.database(service);
  }

  /** The role a service connects as at run time. */
  static String runtime(String service) {
    return service.equals("audit-service") ? AUDIT_RUNTIME : owner(service);
  }

  /** Every role the local run uses, superuser first. */
  static List<String> allWithSuperuser() {
    List<String> roles = new ArrayList<>();
    roles.add(SUPERUSER);
    for (String service : LocalSuite.SERVICES.keySet()) {
      roles.add(owner(service));
      if (!runtime(service).equals(owner(service))) {
        roles.add(runtime(service));
      }
    }
    return roles;
  }
}
