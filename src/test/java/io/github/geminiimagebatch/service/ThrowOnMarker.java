package io.github.geminiimagebatch.service;

import io.github.geminiimagebatch.pipeline.WorkItem;
import org.apache.camel.Exchange;

/** Test only (erring-gemini-api.camel.yaml): throws the Error a prompt names with [throw:NAME]. */
public final class ThrowOnMarker {

    public void check(Exchange exchange) {
        String prompt = exchange.getProperty("item", WorkItem.class).getRequest().prompt();
        if (prompt.contains("[throw:AssertionError]")) {
            throw new AssertionError("injected for '" + prompt + "'");
        }
        if (prompt.contains("[throw:StackOverflowError]")) {
            throw new StackOverflowError("injected for '" + prompt + "'");
        }
        if (prompt.contains("[throw:OutOfMemoryError]")) {
            throw new OutOfMemoryError("injected for '" + prompt + "'");
        }
    }
}
