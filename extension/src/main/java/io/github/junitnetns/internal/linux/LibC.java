package io.github.junitnetns.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc calls the library needs, bound with JNA direct mapping (no proxy, no reflection
 * per call). Every call throws {@link LastErrorException} when libc returns -1; wrap them with
 * {@link Syscalls}, which turns errno into a named {@link ErrnoException}.
 *
 * <p>Only symbols that every glibc and musl have: JNA registers the whole class at once, and one
 * missing symbol would fail every call. Types follow the LP64 ABI (x86_64, aarch64): {@code size_t}/{@code ssize_t} are Java
 * {@code long}.
 */
final class LibC {
  static {
    Native.register(LibC.class, NativeLibrary.getInstance("c"));
  }

  private LibC() {}

  // unshare(2), setns(2)
  static native int unshare(int flags) throws LastErrorException;

  static native int setns(int fd, int nstype) throws LastErrorException;

  // open(2), close(2)
  static native int open(String path, int flags) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  // readlinkat(2): the namespace of each of the JVM's threads, /proc/self/task/TID/ns/net
  static native long readlinkat(int dirfd, byte[] path, byte[] buffer, long size) throws LastErrorException;

  // mount(2), umount2(2): pins under /run/netns (keep-on-failure), the /etc/hosts of exec processes
  static native int mount(String source, String target, String filesystemType, long flags, Pointer data)
      throws LastErrorException;

  static native int umount2(String target, int flags) throws LastErrorException;

  // socket(2), setsockopt(2), send(2), recv(2)
  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, int[] value, int length)
      throws LastErrorException;

  static native long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

  static native long recv(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

  // recvmmsg(2), getsockopt(2): AF_PACKET capture (internal.capture)
  static native int recvmmsg(int fd, Pointer messages, int count, int flags, Pointer timeout)
      throws LastErrorException;

  static native int getsockopt(int fd, int level, int name, Pointer value, int[] length) throws LastErrorException;

  // setsockopt(2) with a struct, bind(2), mmap(2), munmap(2): the TPACKET_V3 ring of AF_PACKET capture
  static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

  static native int bind(int fd, Pointer address, int length) throws LastErrorException;

  static native Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset)
      throws LastErrorException;

  static native int munmap(Pointer address, long length) throws LastErrorException;

  // epoll(7): the capture reader waits on every capture socket at once
  static native int epoll_create1(int flags) throws LastErrorException;

  static native int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

  static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeout) throws LastErrorException;
}
