package io.github.geminiimagebatch.pipeline;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultExchange;

/**
 * The attempts of one item until it is settled or has an image: the dispatcher grants a provider,
 * the shared {@code direct:provider-call} route calls it, the dispatcher acts on the answer and
 * gives back what the attempt held. The calls run on an exchange of their own, so the caller's
 * message is left as it was.
 */
public final class ItemCalls {

    /** The shared route around every provider template (routes/provider-call.camel.yaml). */
    public static final String PROVIDER_CALL = "direct:provider-call";

    private final Dispatcher dispatcher;

    public ItemCalls(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Works on {@code item} until it is settled or its image is ready ({@link WorkItem#isImageReady()}). */
    public void run(CamelContext context, Producer providerCall, WorkItem item) throws Exception {
        Exchange call = new DefaultExchange(context);
        ItemExchange.item(call, item);
        while (item.isUnsettled()) {
            dispatcher.acquire(call);
            if (!item.isDispatched()) {
                continue;
            }
            try {
                providerCall.process(call);
                Exception failure = call.getException();
                if (failure == null) {
                    dispatcher.onResult(call);
                } else {
                    call.setException(null);
                    failed(call, failure);
                }
            } catch (Exception e) {
                failed(call, e);
            } finally {
                dispatcher.release(call);
                call.removeProperty(Exchange.EXCEPTION_CAUGHT);
                call.getMessage().setBody(null);
                call.getMessage().getHeaders().clear();
            }
        }
    }

    private void failed(Exchange call, Exception failure) throws Exception {
        if (ErrorContainment.errorIn(failure) != null) {
            // an Error inside the call is no answer of the provider's: the item route's ErrorContainment settles the item
            throw failure;
        }
        call.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        dispatcher.onFailure(call);
    }
}
