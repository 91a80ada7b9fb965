/* The capture reader's design in C, for benchmarks/capture-design/run: one AF_PACKET socket
 * (ETH_P_ALL, SO_TIMESTAMPNS, 8 MiB SO_RCVBUFFORCE) in the calling namespace, read with recvmmsg
 * in batches of 32 frames of at most 256 bytes. "now": read as soon as frames are there (a wake-up
 * per frame under load); "coalesce": after a partial batch, sleep 1 ms so that frames gather.
 * Prints the frames read and the kernel's drops on SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#define V 32
static long total;
static int fd;
static void done(int s) {
  (void) s;
  struct tpacket_stats st;
  socklen_t l = sizeof st;
  getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &l);
  fprintf(stderr, "reader: %ld frames, %u dropped by the kernel\n", total, st.tp_drops);
  exit(0);
}
int main(int argc, char **argv) {
  int coalesce = argc > 1 && strcmp(argv[1], "coalesce") == 0;
  fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  int one = 1, buf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, 4);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, 4);
  signal(SIGTERM, done);
  static char data[V][256], ctl[V][64];
  static struct sockaddr_ll names[V];
  struct iovec iov[V];
  struct mmsghdr m[V];
  for (;;) {
    for (int i = 0; i < V; i++) {
      iov[i].iov_base = data[i];
      iov[i].iov_len = 256;
      memset(&m[i], 0, sizeof m[i]);
      m[i].msg_hdr.msg_iov = &iov[i];
      m[i].msg_hdr.msg_iovlen = 1;
      m[i].msg_hdr.msg_name = &names[i];
      m[i].msg_hdr.msg_namelen = sizeof names[i];
      m[i].msg_hdr.msg_control = ctl[i];
      m[i].msg_hdr.msg_controllen = 64;
    }
    int n = recvmmsg(fd, m, V, MSG_TRUNC | (coalesce ? MSG_DONTWAIT : 0), 0);
    if (n > 0) total += n;
    if (coalesce && n < V) usleep(1000);
  }
}
