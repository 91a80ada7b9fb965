package io.github.junitnetns.internal.netlink;

import com.sun.jna.Memory;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket. A netlink socket acts on the network
 * namespace it was created in, whatever thread uses it later, so each namespace keeps one,
 * opened from a thread inside it.
 *
 * <p>{@link #execute} sends a batch of requests in one {@code send} and waits for every ACK;
 * {@link #dump} reads a multi-part reply to the end and retries when the kernel marks it
 * NLM_F_DUMP_INTR (the table changed while it was being dumped). Not thread-safe by itself: the
 * methods are synchronized so that replies are never interleaved.
 */
public final class NetlinkSocket implements AutoCloseable {
  private static final int RECEIVE_BUFFER = 64 * 1024;
  private static final int DUMP_ATTEMPTS = 10;

  // One receive buffer per thread, not per socket: a namespace per test must not cost 64 KiB of
  // native memory and a Cleaner registration each.
  private static final ThreadLocal<Memory> RECEIVE = ThreadLocal.withInitial(() -> new Memory(RECEIVE_BUFFER));

  private final int fd;
  private volatile String where;
  private int seq;
  private boolean closed;

  private NetlinkSocket(int fd, String where) {
    this.fd = fd;
    this.where = where;
  }

  /** Opens a socket in the calling thread's network namespace; {@code where} names it in errors. */
  public static NetlinkSocket open(String where) throws ErrnoException {
    return open(where, Rtnl.NETLINK_ROUTE);
  }

  /**
   * Opens a socket of netlink family {@code protocol} (e.g. {@link SockDiag#NETLINK_SOCK_DIAG}) in
   * the calling thread's network namespace; {@code where} names it in errors.
   */
  public static NetlinkSocket open(String where, int protocol) throws ErrnoException {
    int fd = Syscalls.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_RAW, protocol);
    try {
      // No bind(2): the kernel binds a netlink socket to a unique port id on its first send
      // (netlink_autobind, man 7 netlink), which is all a request/reply client needs.
      // Errors carry the kernel's text (extended ACK) and not a copy of the request. Best effort:
      // kernels before 4.12 answer ENOPROTOOPT, and then errors just come without the text.
      try {
        Syscalls.setsockoptInt(fd, Syscalls.SOL_NETLINK, Rtnl.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
        Syscalls.setsockoptInt(fd, Syscalls.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
      } catch (ErrnoException e) {
        if (e.errno() != Errno.ENOPROTOOPT) {
          throw e;
        }
      }
      return new NetlinkSocket(fd, where);
    } catch (ErrnoException e) {
      Syscalls.closeQuietly(fd);
      throw e;
    }
  }

  /** Names the socket differently in errors from now on, e.g. once a spare namespace gets its label. */
  public void rename(String where) {
    this.where = where;
  }

  public void execute(NlMessage message) throws ErrnoException {
    execute(List.of(message));
  }

  /**
   * Sends the messages in one datagram, each with NLM_F_ACK, and waits for all ACKs. The kernel
   * handles them in order and independently; the first failure is thrown after all are answered.
   */
  public synchronized void execute(List<NlMessage> messages) throws ErrnoException {
    checkOpen();
    if (messages.isEmpty()) {
      return;
    }
    int first = seq + 1;
    ByteArrayOutputStream batch = new ByteArrayOutputStream(256 * messages.size());
    for (NlMessage message : messages) {
      byte[] encoded = withAck(message).encode(++seq);
      batch.write(encoded, 0, encoded.length);
    }
    byte[] bytes = batch.toByteArray();
    Syscalls.send(fd, bytes, bytes.length, "netlink socket in " + where);

    ErrnoException[] failure = new ErrnoException[1];
    int[] pending = {messages.size()};
    while (pending[0] > 0) {
      forEachMessage(receive(), (data, in, at, len, type, flags, replySeq) -> {
        int index = replySeq - first;
        if (type == Rtnl.NLMSG_ERROR && index >= 0 && index < messages.size()) {
          pending[0]--;
          int error = -in.getInt(at + Rtnl.NLMSG_HDRLEN);
          if (error != 0 && failure[0] == null) {
            NlMessage failed = messages.get(index);
            failure[0] = new ErrnoException(failed.operation(), failed.object(), error,
                extendedAckMessage(data, at, len, flags));
          }
        }
      });
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /**
   * Sends {@code body} as one nfnetlink batch between {@code begin} and {@code end}
   * (NFNL_MSG_BATCH_BEGIN/END), in one datagram: the kernel applies all of it or none of it. Each
   * body message asks for an ACK; begin and end do not (kernels before 6.0 answer neither). An
   * error answered to {@code begin}'s sequence number refuses the batch as a whole (the subsystem
   * is missing, or the commit failed); then nothing more is awaited and it is thrown, named after
   * the first body message. Otherwise the first body message's failure is thrown.
   */
  public synchronized void executeBatch(NlMessage begin, List<NlMessage> body, NlMessage end) throws ErrnoException {
    checkOpen();
    if (body.isEmpty()) {
      return;
    }
    int beginSeq = ++seq;
    ByteArrayOutputStream batch = new ByteArrayOutputStream(256 * (body.size() + 2));
    byte[] encoded = begin.encode(beginSeq);
    batch.write(encoded, 0, encoded.length);
    int first = seq + 1;
    for (NlMessage message : body) {
      encoded = withAck(message).encode(++seq);
      batch.write(encoded, 0, encoded.length);
    }
    encoded = end.encode(++seq);
    batch.write(encoded, 0, encoded.length);
    byte[] bytes = batch.toByteArray();
    Syscalls.send(fd, bytes, bytes.length, "netlink socket in " + where);

    ErrnoException[] failure = new ErrnoException[1];
    int[] pending = {body.size()};
    boolean[] refused = {false};
    while (pending[0] > 0 && !refused[0]) {
      forEachMessage(receive(), (data, in, at, len, type, flags, replySeq) -> {
        if (type != Rtnl.NLMSG_ERROR) {
          return;
        }
        int error = -in.getInt(at + Rtnl.NLMSG_HDRLEN);
        int index = replySeq - first;
        if (replySeq == beginSeq && error != 0) {
          refused[0] = true;
          NlMessage named = body.get(0);
          failure[0] = new ErrnoException(named.operation(), named.object(), error,
              extendedAckMessage(data, at, len, flags));
        } else if (index >= 0 && index < body.size()) {
          pending[0]--;
          if (error != 0 && failure[0] == null) {
            NlMessage failed = body.get(index);
            failure[0] = new ErrnoException(failed.operation(), failed.object(), error,
                extendedAckMessage(data, at, len, flags));
          }
        }
      });
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /** Sends a plain request (no NLM_F_DUMP) and returns the kernel's one answer, e.g. a link by name. */
  public synchronized NlReply get(NlMessage request) throws ErrnoException {
    checkOpen();
    int mySeq = ++seq;
    byte[] bytes = request.encode(mySeq);
    Syscalls.send(fd, bytes, bytes.length, "netlink socket in " + where);
    NlReply[] answer = new NlReply[1];
    while (answer[0] == null) {
      forEachMessage(receive(), (data, in, at, len, type, flags, replySeq) -> {
        if (replySeq != mySeq || answer[0] != null) {
          return;
        }
        if (type == Rtnl.NLMSG_ERROR) {
          int error = -in.getInt(at + Rtnl.NLMSG_HDRLEN);
          throw new ErrnoException(request.operation(), request.object(), error == 0 ? Errno.ENODATA : error,
              extendedAckMessage(data, at, len, flags));
        }
        answer[0] = new NlReply(data, type, flags, at + Rtnl.NLMSG_HDRLEN, at + len);
      });
    }
    return answer[0];
  }

  /** Runs a dump request (NLM_F_DUMP is added) and returns every reply message. */
  public synchronized List<NlReply> dump(NlMessage request) throws ErrnoException {
    checkOpen();
    for (int attempt = 1; ; attempt++) {
      List<NlReply> replies = new ArrayList<>();
      int mySeq = ++seq;
      byte[] bytes = request.encode(mySeq);
      ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder())
          .putShort(6, (short) (request.flags() | Rtnl.NLM_F_DUMP));
      Syscalls.send(fd, bytes, bytes.length, "netlink socket in " + where);
      boolean[] done = {false};
      boolean[] interrupted = {false};
      while (!done[0]) {
        forEachMessage(receive(), (data, in, at, len, type, flags, replySeq) -> {
          if (replySeq != mySeq) {
            return;
          }
          interrupted[0] |= (flags & Rtnl.NLM_F_DUMP_INTR) != 0;
          if (type == Rtnl.NLMSG_DONE || type == Rtnl.NLMSG_ERROR) {
            // A dump that fails midway says so in NLMSG_DONE's payload (an int errno, negative).
            int error = len >= Rtnl.NLMSG_HDRLEN + 4 ? -in.getInt(at + Rtnl.NLMSG_HDRLEN) : 0;
            if (error > 0) {
              throw new ErrnoException(request.operation(), request.object(), error,
                  extendedAckMessage(data, at, len, flags));
            }
            done[0] = true;
          } else {
            replies.add(new NlReply(data, type, flags, at + Rtnl.NLMSG_HDRLEN, at + len));
          }
        });
      }
      if (!interrupted[0]) {
        return replies;
      }
      if (attempt == DUMP_ATTEMPTS) {
        throw new ErrnoException(request.operation(), request.object() + " (dump kept changing)",
            Errno.EAGAIN);
      }
    }
  }

  /** What to do with one message of a received datagram. */
  @FunctionalInterface
  private interface MessageVisitor {
    void visit(byte[] data, ByteBuffer in, int at, int len, int type, int flags, int seq) throws ErrnoException;
  }

  /** Walks the messages of one datagram (NLMSG_ALIGN between them), stopping at a malformed one. */
  private static void forEachMessage(byte[] data, MessageVisitor visitor) throws ErrnoException {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
    for (int at = 0; at + Rtnl.NLMSG_HDRLEN <= data.length; ) {
      int len = in.getInt(at);
      if (len < Rtnl.NLMSG_HDRLEN || at + len > data.length) {
        return;
      }
      visitor.visit(data, in, at, len, in.getShort(at + 4) & 0xffff, in.getShort(at + 6) & 0xffff, in.getInt(at + 8));
      at += NlMessage.align(len);
    }
  }

  private byte[] receive() throws ErrnoException {
    Memory receive = RECEIVE.get();
    int length = Syscalls.recv(fd, receive, "netlink socket in " + where);
    if (length > RECEIVE_BUFFER) {
      throw new ErrnoException("recv", "netlink socket in " + where + " (reply of " + length
          + " bytes truncated)", Errno.EMSGSIZE);
    }
    return receive.getByteArray(0, length);
  }

  private static NlMessage withAck(NlMessage message) {
    return (message.flags() & Rtnl.NLM_F_ACK) != 0 ? message : message.withFlag(Rtnl.NLM_F_ACK);
  }

  /** NLMSGERR_ATTR_MSG from an extended ACK (linux/netlink.h), or empty. */
  private static String extendedAckMessage(byte[] data, int at, int len, int flags) {
    if ((flags & Rtnl.NLM_F_ACK_TLVS) == 0) {
      return "";
    }
    // struct nlmsgerr: int error + the request's nlmsghdr (capped: header only), then TLVs.
    int attrsStart = at + Rtnl.NLMSG_HDRLEN + 4 + Rtnl.NLMSG_HDRLEN;
    if ((flags & Rtnl.NLM_F_CAPPED) == 0) {
      int requestLength = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).getInt(at + Rtnl.NLMSG_HDRLEN + 4);
      attrsStart = at + Rtnl.NLMSG_HDRLEN + 4 + NlMessage.align(requestLength);
    }
    if (attrsStart >= at + len) {
      return "";
    }
    String text = NlAttrs.parse(data, attrsStart, at + len).string(Rtnl.NLMSGERR_ATTR_MSG);
    return text == null ? "" : text;
  }

  private void checkOpen() throws ErrnoException {
    if (closed) {
      throw new ErrnoException("send", "netlink socket in " + where + " (closed)", Errno.EBADF);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Syscalls.closeQuietly(fd);
    }
  }
}
