package io.github.geminiimagebatch.gemini;

/** The JSON a provider speaks: which request body is built, and so how its answer is read. */
public enum Dialect {
    /** Gemini {@code generateContent} (AI Studio, Vertex AI, gateways, the simulator). */
    GEMINI,
    /** OpenRouter chat completions with image output. */
    OPENROUTER
}
