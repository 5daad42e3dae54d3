package io.github.geminiimagebatch.output;

import java.io.IOException;
import java.io.InputStream;

/** A sink whose stored files can be read back, as the status page does to make thumbnails. */
public interface ReadableSink {

    /**
     * Opens a stored file by its relative name ({@code B/I.ext}) as a stream; the caller closes it.
     *
     * @throws java.nio.file.NoSuchFileException when nothing is stored under that name
     */
    InputStream open(String relativeName) throws IOException;
}
