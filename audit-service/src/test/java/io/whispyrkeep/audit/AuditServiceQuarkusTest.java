package io.whispyrkeep.audit;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.testsupport.contract.ServiceContractTests;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;

/**
 * audit-service starts against real PostgreSQL and Kafka and keeps the suite's HTTP contract, in
 * the application it shares with the trail tests (see {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuditServiceQuarkusTest extends ServiceContractTests {}
