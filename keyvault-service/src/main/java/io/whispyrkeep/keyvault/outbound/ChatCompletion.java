package io.whispyrkeep.keyvault.outbound;

/**
 * A provider's answer, reduced to what the game needs. Every field comes from the provider and is
 * untrusted text: the content goes on to the turn service's own validation.
 *
 * @param content the assistant's text (OpenAI {@code choices[0].message.content}, Anthropic the
 *     {@code text} blocks of {@code content} joined)
 * @param model the model that answered, as the provider names it
 * @param usage token counts; zeros when the provider gives none
 * @param finishReason why generation stopped ({@code stop}, {@code length}, {@code end_turn} ...),
 *     or null
 */
public record ChatCompletion(String content, String model, Usage usage, String finishReason) {

  /** Token counts of one completion. */
  public record Usage(int promptTokens, int completionTokens, int totalTokens) {

    /** No counts given. */
    public static final Usage NONE = new Usage(0, 0, 0);
  }
}
