package io.github.geminiimagebatch.simulator;

/** How simulated image pixels look, which decides how big the response bodies are. */
public enum ImageMode {
    /** A few flat colour bands chosen from the prompt: a few KB even at 4K, cheap to serve. */
    FLAT,
    /** Incompressible pseudo-random pixels seeded from the prompt: realistic (huge) 2K/4K bodies. */
    NOISE
}
