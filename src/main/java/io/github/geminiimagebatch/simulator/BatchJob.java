package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/** A batch job: its mutable state is guarded by {@link BatchService}'s lock; its items and, once set, outcomes never change. */
final class BatchJob {

    /** One request of a job: its key, and what it asks for or why Google would refuse it. */
    record Item(String key, GenerationRequest request, ObjectNode rejection) {
    }

    final String id;
    final String displayName;
    final String model;
    final Instant created;
    final List<Item> items;
    final boolean inlineInput;
    final BatchJobFault fault;
    volatile BatchState state = BatchState.PENDING;
    volatile Instant ended;
    volatile List<FaultKind> outcomes;

    BatchJob(String id, String displayName, String model, Instant created, List<Item> items, boolean inlineInput, BatchJobFault fault) {
        this.id = id;
        this.displayName = displayName;
        this.model = model;
        this.created = created;
        this.items = items;
        this.inlineInput = inlineInput;
        this.fault = fault;
    }

    String name() {
        return "batches/" + id;
    }
}
