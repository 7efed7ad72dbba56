package io.barrage.video.upload;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The local files that collect a tus upload's next part until it is full ({@code upload-buffer-dir}). A
 * buffer is named after its upload and part number, so a crash between recording a part and deleting its
 * buffer cannot count those bytes twice: the next part's buffer is another file.
 */
@Component
class PartBuffers {

    private static final Logger log = LoggerFactory.getLogger(PartBuffers.class);

    private final Path dir;

    PartBuffers(VideoUploadProperties properties) {
        this.dir = properties.uploadBufferDir();
    }

    /** The part's buffer, created if needed, positioned at its end for appending. */
    RandomAccessFile open(String uploadId, int part) throws IOException {
        Files.createDirectories(dir);
        RandomAccessFile file = new RandomAccessFile(file(uploadId, part).toFile(), "rw");
        file.seek(file.length());
        return file;
    }

    /** Bytes buffered for the part (0 when it has no buffer). */
    long size(String uploadId, int part) {
        Path buffer = file(uploadId, part);
        try {
            return Files.exists(buffer) ? Files.size(buffer) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete(String uploadId, int part) throws IOException {
        Files.deleteIfExists(file(uploadId, part));
    }

    /** Deletes the buffers of parts 1..{@code lastPart}, logging what cannot be deleted. */
    void deleteQuietly(String uploadId, int lastPart) {
        for (int part = 1; part <= lastPart; part++) {
            try {
                delete(uploadId, part);
            } catch (IOException e) {
                log.warn("could not delete a buffer of upload {}", uploadId, e);
            }
        }
    }

    private Path file(String uploadId, int part) {
        return dir.resolve(uploadId + "." + part);
    }
}
