package io.github.geminiimagebatch.batchapi;

import io.github.geminiimagebatch.gemini.ImageRequest;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** An item waiting for its result. */
final class JobTicket {
    final String key;
    final ImageRequest request;
    final String model;
    final BooleanSupplier settled;
    final Instant since;
    final CompletableFuture<JobResult> result = new CompletableFuture<>();
    volatile OpenJob job;

    JobTicket(String key, ImageRequest request, String model, BooleanSupplier settled, Instant since) {
        this.key = key;
        this.request = request;
        this.model = model;
        this.settled = settled;
        this.since = since;
    }
}
