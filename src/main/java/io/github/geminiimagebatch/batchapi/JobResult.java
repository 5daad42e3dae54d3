package io.github.geminiimagebatch.batchapi;

import io.github.geminiimagebatch.gemini.DecodedResponse;

/** What an item gets back: its result and the job that made it. */
record JobResult(DecodedResponse response, String jobName) {
}
