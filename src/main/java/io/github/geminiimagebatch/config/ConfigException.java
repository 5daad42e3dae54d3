package io.github.geminiimagebatch.config;

/** A configuration or start-up problem, told to the user in one paragraph (exit code 1). */
public final class ConfigException extends Exception {
    public ConfigException(String userMessage) {
        super(userMessage);
    }
}
