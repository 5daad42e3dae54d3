package io.github.geminiimagebatch.simulator;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Lets an encoder be closed (to flush its tail) without closing the response stream underneath. */
final class NonClosingStream extends FilterOutputStream {

    NonClosingStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        out.write(data, offset, length);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
