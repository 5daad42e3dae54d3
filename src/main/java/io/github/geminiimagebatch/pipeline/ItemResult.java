package io.github.geminiimagebatch.pipeline;

import java.time.Instant;

/**
 * How an item settled, as one instance tells another: a worker that generated (or failed) an item of a
 * batch it does not own reports this to the owner, which writes the batch's manifest and report.
 *
 * @param image    the stored image's name in the outbox ({@code B/I.png}), null when none
 * @param instance the instance ({@code imagegen.instance}) that worked on the item
 */
public record ItemResult(WorkItem.Status status, String reason, String message, String image, String provider,
                         String providerType, String instance, double costUsd, int attempts, Instant finishedAt) {
}
