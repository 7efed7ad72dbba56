package io.barrage.video.storage;

/** The object store could not do what was asked; callers answer 503 or clean up. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
