package io.barrage.push.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.push.ServerFrames;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The send queue's logic on a real loopback connection: a Netty server channel with small buffers (so a
 * client that stops reading makes it unwritable after a few KiB) and a bare-socket client that reads the
 * frames only when the test says so.
 */
class ViewerTest {

    private EventLoopGroup group;
    private Channel server;
    private Socket client;
    private DataInputStream in;
    private Channel channel;
    private final AtomicInteger closeCode = new AtomicInteger();

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 4096)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1024, 2048))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(RoomEndpoint.WRITABILITY);
                        accepted.complete(ch);
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        client = new Socket();
        client.setReceiveBufferSize(4096);
        client.connect(server.localAddress());
        client.setSoTimeout(10_000);
        in = new DataInputStream(client.getInputStream());
        channel = accepted.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Viewer viewer(long bufferLimit, Duration sendTimeLimit, int maxSkips) {
        Viewer viewer = new Viewer(
                channel, (code, reason) -> closeCode.set(code), 1, bufferLimit, sendTimeLimit.toNanos(), maxSkips);
        channel.attr(RoomEndpoint.VIEWER).set(viewer);
        return viewer;
    }

    @Test
    void framesLeaveInTheOrderTheyWereOffered() throws Exception {
        Viewer viewer = viewer(1 << 20, Duration.ofSeconds(5), 3);
        for (int i = 0; i < 500; i++) {
            viewer.send(Outbound.control(Wire.text("frame " + i)));
        }
        List<String> written = readUntil(frames -> frames.size() == 500);
        for (int i = 0; i < 500; i++) {
            assertThat(written.get(i)).isEqualTo("frame " + i);
        }
        assertThat(closeCode.get()).isZero();
    }

    @Test
    void aStuckClientNeverBlocksTheSenderAndIsDisconnectedPastItsBuffer() throws Exception {
        Viewer viewer = viewer(1000, Duration.ofSeconds(5), 3);
        long started = System.nanoTime();
        // Far more than the kernel's and Netty's buffers hold, and the client reads none of it.
        for (int i = 0; i < 2000 && closeCode.get() == 0; i++) {
            viewer.send(Outbound.control(Wire.text("x".repeat(100))));
            if (i % 100 == 99) {
                Thread.sleep(20); // let the event loop write what it can
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        awaitCondition(() -> closeCode.get() != 0);
        assertThat(closeCode.get()).isEqualTo(Viewer.TRY_AGAIN_LATER);
    }

    @Test
    void aClientThatFallsBehindIsSkippedAheadWithAGapFrameAndNeverGetsASeqTwice() throws Exception {
        Viewer viewer = viewer(600, Duration.ofSeconds(30), 100);
        // A big frame the client does not read yet: the kernel's buffers and then Netty's fill up.
        viewer.send(Outbound.control(Wire.text("y".repeat(256 * 1024))));
        awaitCondition(() -> !channel.isWritable());
        for (long seq = 1; seq <= 10; seq++) {
            viewer.send(Frames.danmaku(List.of(item(seq))));
        }
        viewer.send(Frames.danmaku(List.of(item(5)))); // already given: dropped by the seq floor
        List<String> written = readUntil(frames -> frames.stream().anyMatch(w -> w.contains("\"gap\"")));
        viewer.send(Frames.danmaku(List.of(item(11))));
        written.addAll(readUntil(frames -> !frames.isEmpty() && frames.getLast().contains("\"seq\":11")));

        assertThat(closeCode.get()).isZero();
        // What waited in the queue when it overflowed was replaced by one gap frame.
        String gap =
                written.stream().filter(w -> w.contains("\"gap\"")).findFirst().orElseThrow();
        assertThat(gap).startsWith("{\"type\":\"gap\",\"fromSeq\":");
        long from = Long.parseLong(gap.replaceAll(".*\"fromSeq\":(\\d+).*", "$1"));
        long to = Long.parseLong(gap.replaceAll(".*\"toSeq\":(\\d+).*", "$1"));
        List<Long> delivered = written.stream()
                .filter(w -> w.contains("\"danmaku\""))
                .map(w -> Long.parseLong(w.replaceAll(".*\"seq\":(\\d+).*", "$1")))
                .toList();
        assertThat(delivered).isSorted().doesNotHaveDuplicates().contains(11L);
        for (long seq = 1; seq <= 11; seq++) {
            assertThat(delivered.contains(seq) ^ (seq >= from && seq <= to))
                    .as("seq %d is either delivered or inside the gap %d..%d", seq, from, to)
                    .isTrue();
        }
    }

    private static Item item(long seq) {
        return new Item(
                seq,
                Long.toString(seq),
                "{\"id\":\"" + seq + "\",\"seq\":" + seq + ",\"text\":\"" + "x".repeat(100) + "\"}",
                0);
    }

    /** Reads whole unmasked text frames (as the server writes them) until the condition holds. */
    private List<String> readUntil(Predicate<List<String>> done) throws IOException {
        List<String> frames = new ArrayList<>();
        while (!done.test(frames)) {
            int b0 = in.readUnsignedByte();
            byte[] payload = ServerFrames.payload(in).bytes();
            assertThat(b0).as("a final text frame").isEqualTo(0x81);
            frames.add(new String(payload, StandardCharsets.UTF_8));
        }
        return frames;
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
