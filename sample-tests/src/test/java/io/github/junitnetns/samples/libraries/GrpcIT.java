package io.github.junitnetns.samples.libraries;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.GlobalEventExecutor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Use case: a gRPC server and channel (grpc-netty-shaded), on the same fixed port in every test,
 * with the tests running at the same time (see docs/libraries.md, "gRPC").
 *
 * <p>By default gRPC shares its event loops, its executor ({@code grpc-default-executor}) and its
 * timer between every server and channel of the JVM, and keeps them a second after the last one
 * closes: a server started by one test would bind on loops another test started, in that test's
 * namespace. Here each test gives its server and its channel their own event loops and executors,
 * and shuts them down before it ends.
 *
 * <p>No protoc: the method is described by hand, with UTF-8 strings as messages.
 */
@IsolatedNetNs
@Tag("libraries") // run by failsafe's "libraries" execution, in a JVM of their own (pom.xml)
class GrpcIT {
  private static final int PORT = 8080;
  private static final CyclicBarrier BOTH_LISTENING = new CyclicBarrier(2);

  /** A UTF-8 string as a gRPC message. */
  private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** samples.Greeter/Greet: a unary call from string to string. */
  private static final MethodDescriptor<String, String> GREET = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("samples.Greeter", "Greet"))
      .setRequestMarshaller(UTF8)
      .setResponseMarshaller(UTF8)
      .build();

  static {
    // No MAC address in a namespace with only lo: the shaded Netty would warn once and use random
    // bytes. Shading renamed its property too.
    System.setProperty("io.grpc.netty.shaded.io.netty.machineId", "02:00:00:00:00:01");
    // gRPC's (shaded) Netty has its own GlobalEventExecutor, through which every event loop group
    // reports its termination: started on the host here (JUnit's thread), and kept alive, so that
    // no test's shutdown starts it inside the test's namespace (see NettyIT).
    GlobalEventExecutor.INSTANCE.schedule(() -> { }, 365, TimeUnit.DAYS);
  }

  @Test
  void alpha(NetNs ns) throws Exception {
    greet(ns, "alpha");
  }

  @Test
  void bravo(NetNs ns) throws Exception {
    greet(ns, "bravo");
  }

  private static void greet(NetNs ns, String marker) throws Exception {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // Work gRPC hands off (name resolution, credentials): on threads inside this namespace.
    ExecutorService offload = Executors.newCachedThreadPool(ns.threadFactory());
    Server server = null;
    ManagedChannel channel = null;
    try {
      ServerServiceDefinition greeter = ServerServiceDefinition.builder("samples.Greeter")
          .addMethod(GREET, ServerCalls.asyncUnaryCall((String name, StreamObserver<String> reply) -> {
            reply.onNext(marker + " greets " + name);
            reply.onCompleted();
          }))
          .build();
      server = NettyServerBuilder.forPort(PORT) // 0.0.0.0:8080 of this test's namespace
          .bossEventLoopGroup(boss)
          .workerEventLoopGroup(workers)
          .channelType(NioServerSocketChannel.class)
          .directExecutor() // calls run on the worker loop: no grpc-default-executor
          .addService(greeter)
          .build()
          .start();
      // Both tests listen on 8080 now, each in its own namespace.
      BOTH_LISTENING.await(60, TimeUnit.SECONDS);

      channel = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", PORT)) // no name resolver
          .usePlaintext()
          .eventLoopGroup(clientLoops)
          .channelType(NioSocketChannel.class)
          .directExecutor()
          .offloadExecutor(offload)
          .build();
      String answer = ClientCalls.blockingUnaryCall(channel, GREET,
          CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "junit");

      assertThat(answer).isEqualTo(marker + " greets junit");
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (server != null) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      // The loops and the executor are the test's: gRPC does not shut down what it was given.
      clientLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
      workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
      offload.shutdownNow();
      offload.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
