package io.barrage.video.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Shows every byte the object store reads to the box scanner as well: one pass, no second read. */
final class ScanningInputStream extends FilterInputStream {

    private final Mp4BoxScanner scanner;

    ScanningInputStream(InputStream in, Mp4BoxScanner scanner) {
        super(in);
        this.scanner = scanner;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            scanner.accept(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            scanner.accept(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipped bytes still have to reach the scanner
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
