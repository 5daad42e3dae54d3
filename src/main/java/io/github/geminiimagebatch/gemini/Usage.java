package io.github.geminiimagebatch.gemini;

/** Token counts as reported by the provider; a field is null when the provider did not say. */
public record Usage(Integer promptTokens, Integer candidatesTokens, Integer imageTokens, Integer totalTokens) {

    public static final Usage NONE = new Usage(null, null, null, null);
}
