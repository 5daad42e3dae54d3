package io.github.geminiimagebatch.queue;

import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.Batches;
import io.github.geminiimagebatch.pipeline.RunState;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.main.Main;
import org.springframework.jms.connection.CachingConnectionFactory;

import java.nio.file.Path;

/** The beans behind routes/work-queue.camel.yaml, and the Artemis connection the jms component uses. */
public final class QueueBeans {

    private QueueBeans() {
    }

    /** @param outbox the outbox: the owner records the results of its batches' runs under {@code .state/} there */
    public static void bind(Main main, QueueSettings queue, RunState run, Outputs outputs, Batches batches, Path outbox) {
        OpenBatches open = new OpenBatches(batches, outbox.resolve(".state"));
        main.bind("openBatches", open);
        main.bind("workQueue", new WorkMessages(run, outputs, open, queue.maxDeliveries()));
        // bound even in-process: imagegen.intake.uri may read from the broker without a work queue
        // items are put on the queue without waiting for the broker's disk: until the batch completes its prompt file
        // stays in the inbox, so items lost with a broker crash are sent again by the next run
        main.bind("jmsConnectionFactory", connectionFactory(queue, false));
        main.bind("jmsSendConnectionFactory", connectionFactory(queue, true));
    }

    /**
     * Consumers take one message at a time (window 0): an image call takes seconds, and a prefetched item would
     * wait behind it while another instance sits idle. One connection is shared; sessions are cached.
     */
    static CachingConnectionFactory connectionFactory(QueueSettings queue, boolean blockOnDurableSend) {
        ActiveMQConnectionFactory artemis = new ActiveMQConnectionFactory(queue.jmsUrl());
        artemis.setConsumerWindowSize(0);
        artemis.setBlockOnDurableSend(blockOnDurableSend);
        CachingConnectionFactory caching = new CachingConnectionFactory(artemis);
        caching.setSessionCacheSize(Math.max(1, queue.consumers()) + 4);
        caching.setCacheConsumers(false);
        return caching;
    }
}
