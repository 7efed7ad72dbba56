import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling of fan-out on this machine: a bare Netty server that does nothing but write one 301-byte-per-item
 * text frame per room batch to every viewer socket of the room, like push-service's rooms, with no Kafka, no
 * rooms' bookkeeping and no framework. ROOMS x VIEWERS loopback sockets are read by one NIO thread; every
 * 100 ms each room gets a Poisson(RATE / ROOMS / 10) number of items (or exactly RATE / ROOMS / 10 with
 * lockstep). Prints deliveries per CPU-second of the server's threads (event loops and the clock; JDK
 * per-thread CPU time, which includes the kernel's, and on loopback the receiving side's softirq too) and
 * the CPU per socket write.
 *
 * <p>Usage: java -cp NETTY_JARS NettyCeiling.java [RATE=500 ROOMS=50 VIEWERS=40 SECONDS=20 epoll|nio random|lockstep]
 */
public class NettyCeiling {

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int viewers = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        boolean epoll = (args.length > 4 ? args[4] : "epoll").equals("epoll") && Epoll.isAvailable();
        boolean lockstep = args.length > 5 && args[5].equals("lockstep");

        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, io);
        List<Channel> channels = new CopyOnWriteArrayList<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Selector selector = Selector.open();
        for (int i = 0; i < rooms * viewers; i++) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            socket.configureBlocking(false);
            socket.register(selector, SelectionKey.OP_READ);
        }
        Thread reader = Thread.ofPlatform().daemon().name("viewers").start(() -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
            try {
                while (true) {
                    selector.select();
                    for (SelectionKey key : selector.selectedKeys()) {
                        buffer.clear();
                        ((SocketChannel) key.channel()).read(buffer);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (Exception e) {
                // the run is over
            }
        });
        while (channels.size() < rooms * viewers) {
            Thread.sleep(10);
        }

        Set<Long> serverThreads = ConcurrentHashMap.newKeySet();
        for (EventExecutor loop : group) {
            loop.submit(() -> serverThreads.add(Thread.currentThread().threadId())).sync();
        }
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        clock.submit(() -> serverThreads.add(Thread.currentThread().threadId())).get();
        byte[] item = new byte[300];
        Arrays.fill(item, (byte) 'x');
        Random random = new Random(42);
        double perBatch = (double) rate / rooms / 10;
        AtomicLong deliveries = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        clock.scheduleAtFixedRate(
                () -> {
                    for (int room = 0; room < rooms; room++) {
                        int items = lockstep ? (int) Math.round(perBatch) : poisson(random, perBatch);
                        if (items == 0) {
                            continue;
                        }
                        int length = items * 301;
                        ByteBuf frame = Unpooled.directBuffer(4 + length);
                        frame.writeByte(0x81);
                        if (length < 126) {
                            frame.writeByte(length);
                        } else {
                            frame.writeByte(126).writeShort(length);
                        }
                        for (int i = 0; i < items; i++) {
                            frame.writeBytes(item).writeByte(',');
                        }
                        Map<EventLoop, List<Channel>> byLoop = new HashMap<>();
                        for (int v = 0; v < viewers; v++) {
                            Channel ch = channels.get(room * viewers + v);
                            byLoop.computeIfAbsent(ch.eventLoop(), loop -> new ArrayList<>()).add(ch);
                        }
                        for (Map.Entry<EventLoop, List<Channel>> loop : byLoop.entrySet()) {
                            ByteBuf shared = frame.retainedDuplicate();
                            loop.getKey().execute(() -> {
                                for (Channel ch : loop.getValue()) {
                                    ch.writeAndFlush(shared.retainedDuplicate(), ch.voidPromise());
                                }
                                shared.release();
                            });
                        }
                        frame.release();
                        deliveries.addAndGet((long) items * viewers);
                        writes.addAndGet(viewers);
                    }
                },
                100,
                100,
                TimeUnit.MILLISECONDS);

        Thread.sleep(5000); // warm-up
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long d0 = deliveries.get(), w0 = writes.get(), cpu0 = cpu(threads, serverThreads, false);
        long user0 = cpu(threads, serverThreads, true);
        Thread.sleep(seconds * 1000L);
        long d = deliveries.get() - d0, w = writes.get() - w0;
        double cpu = (cpu(threads, serverThreads, false) - cpu0) / 1e9;
        double user = (cpu(threads, serverThreads, true) - user0) / 1e9;
        System.out.printf(
                "%s, %s arrivals, nproc %d: %d deliveries in %d writes over %d s; server threads %.2f CPU-s (user %.2f)%n",
                epoll ? "epoll" : "nio",
                lockstep ? "lockstep" : "random",
                Runtime.getRuntime().availableProcessors(),
                d,
                w,
                seconds,
                cpu,
                user);
        System.out.printf(
                "fan-out ceiling: %.0f deliveries per CPU-second; per socket write %.1f µs (%.1f µs of it user, the rest"
                        + " kernel)%n",
                d / cpu,
                cpu * 1e6 / w,
                user * 1e6 / w);
        System.exit(0);
    }

    private static int poisson(Random random, double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            count++;
            product *= random.nextDouble();
        }
        return count;
    }

    private static long cpu(ThreadMXBean threads, Set<Long> ids, boolean userOnly) {
        long total = 0;
        for (long id : ids) {
            total += userOnly ? threads.getThreadUserTime(id) : threads.getThreadCpuTime(id);
        }
        return total;
    }
}
