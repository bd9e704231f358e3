package io.whispyrkeep.turn.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whispyrkeep.turn.injection.InjectionDetector;
import io.whispyrkeep.turn.injection.InjectionPatterns;
import io.whispyrkeep.turn.input.TurnInputCleaner;
import io.whispyrkeep.turn.narrator.NarratorAnswerParser;
import io.whispyrkeep.turn.patch.PatchLimits;
import io.whispyrkeep.turn.patch.PatchValidator;
import io.whispyrkeep.turn.patch.StatePatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The validation classes (plain, thread-safe, tested without a boot) as beans configured from
 * {@link TurnConfig}, and the default campaign state, checked once at start-up.
 */
@ApplicationScoped
public class TurnBeans {

  /**
   * The default campaign state: a scene at an inn, with the members the offline narrator writes.
   */
  public static final String DEFAULT_STATE =
      "{\"scene\":{\"location\":\"the crossroads inn\",\"description\":\"A fire crackles in"
          + " the hearth.\",\"mood\":\"calm\",\"last_action\":\"none\"},\"party\":{},"
          + "\"inventory\":[],\"flags\":{}}";

  /** The pointer every default state must resolve: the offline narrator's normal patch. */
  public static final String REQUIRED_STATE_POINTER = "/scene/last_action";

  @Produces
  @Singleton
  TurnInputCleaner inputCleaner(TurnConfig config) {
    return new TurnInputCleaner(config.input());
  }

  @Produces
  @Singleton
  InjectionDetector injectionDetector(TurnConfig config) {
    return new InjectionDetector(InjectionPatterns.load(), config.injection());
  }

  @Produces
  @Singleton
  NarratorAnswerParser answerParser(TurnConfig config) {
    return new NarratorAnswerParser(config.narrator());
  }

  @Produces
  @Singleton
  StatePatcher statePatcher(TurnConfig config) {
    return new StatePatcher(new PatchValidator(PatchLimits.of(config.patch())));
  }

  /** The default campaign state, parsed; start-up fails if it is not a usable state object. */
  @Produces
  @Singleton
  @Named("default-state")
  JsonNode defaultState(TurnConfig config, ObjectMapper json) {
    JsonNode state;
    try {
      state = json.readTree(config.campaign().defaultState());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("whispyrkeep.turn.campaign.default-state is not JSON", e);
    }
    if (state == null || !state.isObject() || state.at(REQUIRED_STATE_POINTER).isMissingNode()) {
      throw new IllegalStateException(
          "whispyrkeep.turn.campaign.default-state must be a JSON object containing "
              + REQUIRED_STATE_POINTER);
    }
    return state;
  }
}
