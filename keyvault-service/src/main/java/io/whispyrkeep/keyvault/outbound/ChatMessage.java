package io.whispyrkeep.keyvault.outbound;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * One message of a conversation.
 *
 * @param role who speaks
 * @param content the text, at most {@link #MAX_CONTENT_CHARS} characters
 */
public record ChatMessage(
    @NotNull Role role, @NotNull @Size(max = MAX_CONTENT_CHARS) String content) {

  /**
   * Longest message: 32 Ki characters (UTF-16 units), a long scene description with room to spare.
   */
  public static final int MAX_CONTENT_CHARS = 32 * 1024;

  /** Who speaks; a system message sets the narrator's instructions. */
  public enum Role {
    @JsonProperty("system")
    SYSTEM,
    @JsonProperty("user")
    USER,
    @JsonProperty("assistant")
    ASSISTANT;

    /** The wire spelling ({@code system}, {@code user}, {@code assistant}). */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }
}
