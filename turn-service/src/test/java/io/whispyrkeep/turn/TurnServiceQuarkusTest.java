package io.whispyrkeep.turn;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.testsupport.contract.ServiceContractTests;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.turn.support.NarratorPathTestResource;

/**
 * turn-service starts against real PostgreSQL and Kafka and keeps the suite's HTTP contract. It
 * shares the module's one boot (the same resources as the other QuarkusTests), so it also checks
 * the contract with the narrator path wired as in production.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = NarratorPathTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class TurnServiceQuarkusTest extends ServiceContractTests {}
