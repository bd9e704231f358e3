package io.whispyrkeep.turn.campaign;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.turn.support.TurnApi.createCampaign;
import static io.whispyrkeep.turn.support.TurnApi.eventPayloads;
import static io.whispyrkeep.turn.support.TurnApi.get;
import static io.whispyrkeep.turn.support.TurnApi.newCampaign;
import static io.whispyrkeep.turn.support.TurnApi.newPlayer;
import static io.whispyrkeep.turn.support.TurnApi.turn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.RateWindows;
import io.whispyrkeep.turn.support.NarratorPathTestResource;
import io.whispyrkeep.turn.support.TurnApi.Player;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Campaigns: created from the default state, listed by cursor, seen by their owner only. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = NarratorPathTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class CampaignQuarkusTest {

  /** The clock the service counts rate-limit windows with. */
  @Inject Clock clock;

  @Test
  void create_201_ownerReadsItAndItsDefaultState_eventRecorded() {
    Player player = newPlayer();
    var created = createCampaign(player, "  The Sunken\u200b Keep  ", "offline");
    created
        .then()
        .statusCode(201)
        .body("name", equalTo("The Sunken Keep"))
        .body("provider", equalTo("offline"))
        .body("createdAt", notNullValue());
    String id = created.jsonPath().getString("id");

    get(player, "/campaigns/" + id).then().statusCode(200).body("id", equalTo(id));
    get(player, "/campaigns/" + id + "/state")
        .then()
        .statusCode(200)
        .body("version", equalTo(1))
        .body("gameTime", equalTo("PT0S"))
        .body("state.scene.last_action", notNullValue());
    List<String> events = eventPayloads("campaign.created", id);
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).contains("\"actor\":\"" + player.id() + "\"");
  }

  /** Creation is bounded like every write: 30 campaigns an hour per player, then 429. */
  @Test
  void overThirtyCampaignsAnHour_429RetryAfter_oneEvent_otherPlayersUnaffected() {
    Player player = newPlayer();
    // The 31 creations must fall in one hour window, or neither window goes over the limit.
    RateWindows.awaitRoom(clock, Duration.ofHours(1), Duration.ofSeconds(30));
    for (int i = 0; i < 30; i++) {
      createCampaign(player, "Campaign " + i, "offline").then().statusCode(201);
    }
    for (int i = 0; i < 2; i++) {
      createCampaign(player, "One too many", "offline")
          .then()
          .statusCode(429)
          .contentType(containsString("application/problem+json"))
          .header("Retry-After", notNullValue());
    }
    assertThat(eventPayloads("turn.rate_limited", player.id()))
        .hasSize(1)
        .allSatisfy(
            event ->
                assertThat(event)
                    .contains(
                        "\"action\":\"campaign-create\"",
                        "\"limit\":\"30\"",
                        "\"windowSeconds\":\"3600\""));
    get(player, "/campaigns?limit=100").then().statusCode(200).body("items.size()", equalTo(30));
    createCampaign(newPlayer(), "Someone else's", "offline").then().statusCode(201);
  }

  @Test
  void anotherPlayersCampaign_404Everywhere() {
    Player owner = newPlayer();
    Player other = newPlayer();
    String id = newCampaign(owner);

    for (String path :
        List.of("/campaigns/" + id, "/campaigns/" + id + "/state", "/campaigns/" + id + "/turns")) {
      get(other, path)
          .then()
          .statusCode(404)
          .contentType(containsString("application/problem+json"));
    }
    turn(other, id, "I take the map.").then().statusCode(404);
    get(other, "/campaigns").then().statusCode(200).body("items.size()", equalTo(0));
    get(owner, "/campaigns/not-a-uuid").then().statusCode(404);
  }

  @Test
  void list_cursorPagesNewestFirst_untilNoNext() {
    Player player = newPlayer();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(newCampaign(player));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = given().auth().oauth2(player.token()).queryParam("limit", 2);
      if (cursor != null) {
        request.queryParam("cursor", cursor);
      }
      var page = request.get("/campaigns").then().statusCode(200).extract().jsonPath();
      seen.addAll(page.getList("items.id", String.class));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null && pages < 10);

    assertThat(pages).isEqualTo(3);
    List<String> newestFirst = new ArrayList<>(created);
    java.util.Collections.reverse(newestFirst);
    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(new HashSet<>(seen)).hasSize(5);
  }

  @Test
  void list_limitOutOfRangeOrForeignCursor_400() {
    Player player = newPlayer();
    for (String query : List.of("limit=0", "limit=101", "cursor=bm90LW91cnM", "cursor=%%%")) {
      get(player, "/campaigns?" + query)
          .then()
          .statusCode(400)
          .contentType(containsString("application/problem+json"));
    }
  }

  @Test
  void invalidNameOrProvider_400ValidationFailed() {
    Player player = newPlayer();
    createCampaign(player, "\u0001\u200b  ", "offline")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"));
    createCampaign(player, "x".repeat(201), "offline").then().statusCode(400);
    createCampaign(player, "Fine name", " ").then().statusCode(400);
    createCampaign(player, "Fine name", "Open AI!").then().statusCode(400);
  }

  @Test
  void malformedJsonOrInvalidUtf8_400NeverA500() {
    Player player = newPlayer();
    given()
        .auth()
        .oauth2(player.token())
        .contentType("application/json")
        .body("{\"name\": \"x\", ")
        .post("/campaigns")
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"));
    given()
        .auth()
        .oauth2(player.token())
        .contentType("application/json")
        .body(
            new byte[] {
              '{',
              '"',
              'n',
              'a',
              'm',
              'e',
              '"',
              ':',
              '"',
              (byte) 0xC3,
              (byte) 0x28,
              '"',
              ',',
              '"',
              'p',
              'r',
              'o',
              'v',
              'i',
              'd',
              'e',
              'r',
              '"',
              ':',
              '"',
              'o',
              '"',
              '}'
            })
        .post("/campaigns")
        .then()
        .statusCode(400);
  }
}
