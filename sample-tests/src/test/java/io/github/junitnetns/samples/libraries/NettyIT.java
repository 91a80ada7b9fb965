package io.github.junitnetns.samples.libraries;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Use case: a Netty 4.2 HTTP server and a Netty client, on the same fixed port in every test, with
 * the tests running at the same time (see docs/libraries.md, "Netty").
 *
 * <p>The event loops are created inside the test and shut down in it: Netty starts a loop's thread
 * on its first task, from the thread that gives it that task (here the test's own thread, inside
 * the test's namespace), and a server binds and a client connects on that loop's thread. A group
 * shared by several tests would keep the namespace of whichever test started its threads first, and
 * every other test's server would bind there.
 */
@IsolatedNetNs
@Tag("libraries") // run by failsafe's "libraries" execution, in a JVM of their own (pom.xml)
class NettyIT {
  private static final int PORT = 8080;
  private static final CyclicBarrier BOTH_LISTENING = new CyclicBarrier(2);

  static {
    // No MAC address in a namespace with only lo: Netty would warn once and use random bytes.
    System.setProperty("io.netty.machineId", "02:00:00:00:00:01");
    // Netty's GlobalEventExecutor has one thread for the whole JVM, and every event loop group
    // reports its termination through it. Started by a group shut down inside a test, that thread
    // would stay in the test's namespace for a second after (a thread left behind). A task due in a
    // year keeps it alive, started here: a static initialiser runs on JUnit's thread, on the host.
    GlobalEventExecutor.INSTANCE.schedule(() -> { }, 365, TimeUnit.DAYS);
  }

  @Test
  void alpha() throws Exception {
    serveAndAsk("alpha");
  }

  @Test
  void bravo() throws Exception {
    serveAndAsk("bravo");
  }

  private static void serveAndAsk(String marker) throws Exception {
    // The test's own event loops: their threads are born inside this test's namespace.
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Answer(marker));
            }
          })
          .bind(PORT) // 0.0.0.0:8080 of this test's namespace
          .sync()
          .channel();
      // Both tests listen on 8080 now, each in its own namespace.
      BOTH_LISTENING.await(60, TimeUnit.SECONDS);

      CompletableFuture<String> body = new CompletableFuture<>();
      Channel client = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536), new Receive(body));
            }
          })
          .connect("127.0.0.1", PORT)
          .sync()
          .channel();
      DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      request.headers().set("Host", "127.0.0.1:" + PORT);
      client.writeAndFlush(request).sync();

      assertThat(body.get(30, TimeUnit.SECONDS)).isEqualTo("served by " + marker);
      client.close().sync();
      server.close().sync();
    } finally {
      // Shut down in the test: its threads end before the test does.
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }
  }

  /** The server's handler: answers every request with its test's marker. */
  private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String marker;

    Answer(String marker) {
      this.marker = marker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer("served by " + marker, UTF_8));
      HttpUtil.setContentLength(response, response.content().readableBytes());
      ctx.writeAndFlush(response);
    }
  }

  /** The client's handler: hands the response body to the test. */
  private static final class Receive extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CompletableFuture<String> body;

    Receive(CompletableFuture<String> body) {
      this.body = body;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      body.complete(response.content().toString(UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      body.completeExceptionally(cause);
      ctx.close();
    }
  }
}
