package io.whispyrkeep.turn.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A campaign's state document between its stored text ({@link Campaign#state}) and a JSON tree. The
 * text is only ever written from a tree, so a failure either way is a bug, not bad input.
 */
@ApplicationScoped
public class StateDocuments {

  private final ObjectMapper json;

  StateDocuments(ObjectMapper json) {
    this.json = json;
  }

  /** The stored state as a tree. */
  public JsonNode read(String stored) {
    try {
      return json.readTree(stored);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored campaign state is not JSON", e);
    }
  }

  /** The tree as the text to store. */
  public String write(JsonNode state) {
    try {
      return json.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree did not serialise", e);
    }
  }
}
