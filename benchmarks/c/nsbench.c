/*
 * nsbench: the physical limit for junit-netns' topologies, straight against the syscalls.
 *
 *   nsbench single|veth|bridgeN WARMUP ITERATIONS      (bridgeN: N members, e.g. bridge3, bridge20)
 *
 * Runs WARMUP untimed rounds, then ITERATIONS timed ones, and prints one wall time per timed
 * round, in milliseconds, one per line. Every namespace is anonymous (held by a file descriptor
 * and by this thread while it is inside), so nothing is left behind, whatever happens: the kernel
 * reclaims the namespaces, and the links inside them, when the descriptors are closed or the
 * process dies.
 *
 * One round of each topology, as the library does it:
 *   single   unshare(CLONE_NEWNET); open /proc/thread-self/ns/net; a NETLINK_ROUTE socket;
 *            RTM_NEWLINK lo up (with ACK); setns back to the original namespace; close.
 *   veth     two such namespaces a and b; one RTM_NEWLINK, sent in a, creates veth eth0 in a
 *            with its peer eth0 placed in b by IFLA_NET_NS_FD; RTM_NEWADDR 10.0.0.1/24 in a and
 *            10.0.0.2/24 in b; RTM_NEWLINK eth0 up in a and in b; back home; close everything.
 *   bridgeN  a namespace br with bridge lan (created up), N member namespaces n1..nN; per
 *            member one RTM_NEWLINK, sent in br, creates port pI (IFLA_MASTER lan) with its peer
 *            eth0 in nI; RTM_NEWADDR 10.0.1.I/24 in nI; pI and eth0 up; back home; close.
 * Every request asks for an ACK and waits for it. Links get an explicit ifindex when created, so
 * no round trip is needed to learn it: the fewest messages the topology needs. (A veth cannot be
 * created up: its first end would be opened before it knows its peer, ENOTCONN.)
 *
 * Written from the uapi headers: linux/netlink.h, linux/rtnetlink.h, linux/if_link.h,
 * linux/veth.h, linux/if_addr.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define LO_IFINDEX 1
/* Explicit indexes for the links we create; any free index of the namespace would do. */
#define ETH0_IFINDEX 10
#define BRIDGE_IFINDEX 20
#define PORT_IFINDEX_BASE 20 /* port pI gets 20 + I */

static int home_fd = -1; /* the namespace this process started in */
static uint32_t seq;

static void die(const char *what) {
  fprintf(stderr, "nsbench: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* ---- building one rtnetlink request ---- */

struct msg {
  union {
    struct nlmsghdr hdr;
    char bytes[2048];
  } u;
};

static void *msg_tail(struct msg *m) {
  return m->u.bytes + NLMSG_ALIGN(m->u.hdr.nlmsg_len);
}

static void *msg_put(struct msg *m, const void *data, size_t len) {
  void *at = msg_tail(m);
  size_t next = NLMSG_ALIGN(m->u.hdr.nlmsg_len) + NLMSG_ALIGN(len);
  if (next > sizeof(m->u.bytes)) {
    fprintf(stderr, "nsbench: netlink request too large\n");
    exit(1);
  }
  memset(at, 0, NLMSG_ALIGN(len));
  if (data != NULL) {
    memcpy(at, data, len);
  }
  /* Padded: a nest that ends with this attribute then ends where the message does. */
  m->u.hdr.nlmsg_len = (uint32_t)next;
  return at;
}

static void msg_begin(struct msg *m, uint16_t type, uint16_t flags) {
  memset(&m->u.hdr, 0, sizeof(m->u.hdr));
  m->u.hdr.nlmsg_len = NLMSG_HDRLEN;
  m->u.hdr.nlmsg_type = type;
  m->u.hdr.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
  m->u.hdr.nlmsg_seq = ++seq;
}

static struct ifinfomsg *put_ifinfomsg(struct msg *m, int index, unsigned flags, unsigned change) {
  struct ifinfomsg *ifi = msg_put(m, NULL, sizeof(struct ifinfomsg));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = flags;
  ifi->ifi_change = change;
  return ifi;
}

static void put_attr(struct msg *m, unsigned short type, const void *data, size_t len) {
  struct rtattr *rta = msg_put(m, NULL, RTA_LENGTH(len));
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len > 0) {
    memcpy(RTA_DATA(rta), data, len);
  }
}

static void put_str(struct msg *m, unsigned short type, const char *s) {
  put_attr(m, type, s, strlen(s) + 1);
}

static void put_u32(struct msg *m, unsigned short type, uint32_t v) {
  put_attr(m, type, &v, sizeof(v));
}

static struct rtattr *nest_begin(struct msg *m, unsigned short type) {
  struct rtattr *rta = msg_put(m, NULL, RTA_LENGTH(0));
  rta->rta_type = type;
  return rta;
}

static void nest_end(struct msg *m, struct rtattr *nest) {
  nest->rta_len = (unsigned short)((char *)msg_tail(m) - (char *)nest);
}

/* Sends the request and waits for its ACK; a kernel error ends the program. */
static void nl_call(int sock, struct msg *m, const char *what) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(sock, m, m->u.hdr.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
    die(what);
  }
  char reply[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
  for (;;) {
    ssize_t n = recv(sock, reply, sizeof(reply), 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      die(what);
    }
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != m->u.hdr.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) {
        continue;
      }
      struct nlmsgerr *err = NLMSG_DATA(h);
      if (err->error != 0) {
        errno = -err->error;
        die(what);
      }
      return;
    }
  }
}

/* ---- the operations ---- */

static void link_up(int sock, int index, const char *what) {
  struct msg m;
  msg_begin(&m, RTM_NEWLINK, 0);
  put_ifinfomsg(&m, index, IFF_UP, IFF_UP);
  nl_call(sock, &m, what);
}

/* Creates veth `name` (index) in sock's namespace, with peer `peer_name` (peer_index) in the
 * namespace held by peer_ns_fd; master > 0 enslaves `name` to that bridge at once. Both ends are
 * down: a veth cannot be created up, its end would open before it knows its peer (ENOTCONN). */
static void veth_add(int sock, const char *name, int index, int master, const char *peer_name,
                     int peer_index, int peer_ns_fd) {
  struct msg m;
  msg_begin(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  put_ifinfomsg(&m, index, 0, 0);
  put_str(&m, IFLA_IFNAME, name);
  if (master > 0) {
    put_u32(&m, IFLA_MASTER, (uint32_t)master);
  }
  struct rtattr *linkinfo = nest_begin(&m, IFLA_LINKINFO);
  put_str(&m, IFLA_INFO_KIND, "veth");
  struct rtattr *data = nest_begin(&m, IFLA_INFO_DATA);
  struct rtattr *peer = nest_begin(&m, VETH_INFO_PEER);
  put_ifinfomsg(&m, peer_index, 0, 0);
  put_str(&m, IFLA_IFNAME, peer_name);
  put_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
  nest_end(&m, peer);
  nest_end(&m, data);
  nest_end(&m, linkinfo);
  nl_call(sock, &m, "RTM_NEWLINK veth");
}

static void bridge_add(int sock, const char *name, int index) {
  struct msg m;
  msg_begin(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  put_ifinfomsg(&m, index, IFF_UP, IFF_UP);
  put_str(&m, IFLA_IFNAME, name);
  struct rtattr *linkinfo = nest_begin(&m, IFLA_LINKINFO);
  put_str(&m, IFLA_INFO_KIND, "bridge");
  nest_end(&m, linkinfo);
  nl_call(sock, &m, "RTM_NEWLINK bridge");
}

/* ip addr add a.b.c.d/prefix dev <index> */
static void addr_add(int sock, int index, const uint8_t ip[4], int prefix) {
  struct msg m;
  msg_begin(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = msg_put(&m, NULL, sizeof(struct ifaddrmsg));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char)prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned)index;
  put_attr(&m, IFA_LOCAL, ip, 4);
  put_attr(&m, IFA_ADDRESS, ip, 4);
  nl_call(sock, &m, "RTM_NEWADDR");
}

/* ---- namespaces ---- */

struct ns {
  int fd;   /* holds the namespace */
  int sock; /* NETLINK_ROUTE socket created inside: it acts on this namespace */
};

/* A fresh namespace with lo up; the calling thread is left inside it. */
static void ns_new(struct ns *ns) {
  if (unshare(CLONE_NEWNET) != 0) {
    die("unshare(CLONE_NEWNET)");
  }
  ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ns->fd < 0) {
    die("open /proc/thread-self/ns/net");
  }
  ns->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (ns->sock < 0) {
    die("socket(NETLINK_ROUTE)");
  }
  link_up(ns->sock, LO_IFINDEX, "RTM_NEWLINK lo up");
}

static void ns_close(struct ns *ns) {
  close(ns->sock);
  close(ns->fd);
}

static void go_home(void) {
  if (setns(home_fd, CLONE_NEWNET) != 0) {
    die("setns(home)");
  }
}

/* ---- the topologies ---- */

static void round_single(void) {
  struct ns a;
  ns_new(&a);
  go_home();
  ns_close(&a);
}

static void round_veth(void) {
  static const uint8_t ip_a[4] = {10, 0, 0, 1}, ip_b[4] = {10, 0, 0, 2};
  struct ns a, b;
  ns_new(&a);
  ns_new(&b);
  veth_add(a.sock, "eth0", ETH0_IFINDEX, 0, "eth0", ETH0_IFINDEX, b.fd);
  addr_add(a.sock, ETH0_IFINDEX, ip_a, 24);
  addr_add(b.sock, ETH0_IFINDEX, ip_b, 24);
  link_up(a.sock, ETH0_IFINDEX, "RTM_NEWLINK eth0 up");
  link_up(b.sock, ETH0_IFINDEX, "RTM_NEWLINK eth0 up");
  go_home();
  ns_close(&a);
  ns_close(&b);
}

#define MAX_MEMBERS 200
static int members;

static void round_bridge(void) {
  struct ns br, n[MAX_MEMBERS];
  ns_new(&br);
  bridge_add(br.sock, "lan", BRIDGE_IFINDEX);
  for (int i = 0; i < members; i++) {
    char port[IFNAMSIZ];
    snprintf(port, sizeof(port), "p%d", i + 1);
    uint8_t ip[4] = {10, 0, 1, (uint8_t)(i + 1)};
    ns_new(&n[i]);
    veth_add(br.sock, port, PORT_IFINDEX_BASE + i + 1, BRIDGE_IFINDEX, "eth0", ETH0_IFINDEX, n[i].fd);
    addr_add(n[i].sock, ETH0_IFINDEX, ip, 24);
    link_up(br.sock, PORT_IFINDEX_BASE + i + 1, "RTM_NEWLINK port up");
    link_up(n[i].sock, ETH0_IFINDEX, "RTM_NEWLINK eth0 up");
  }
  go_home();
  ns_close(&br);
  for (int i = 0; i < members; i++) {
    ns_close(&n[i]);
  }
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s single|veth|bridgeN WARMUP ITERATIONS\n", argv[0]);
    return 2;
  }
  void (*round)(void);
  if (strcmp(argv[1], "single") == 0) {
    round = round_single;
  } else if (strcmp(argv[1], "veth") == 0) {
    round = round_veth;
  } else if (sscanf(argv[1], "bridge%d", &members) == 1 && members >= 1 && members <= MAX_MEMBERS) {
    round = round_bridge;
  } else {
    fprintf(stderr, "nsbench: unknown topology %s; use single, veth or bridgeN (N = 1..%d members)\n", argv[1],
            MAX_MEMBERS);
    return 2;
  }
  int warmup = atoi(argv[2]);
  int iterations = atoi(argv[3]);
  if (warmup < 0 || iterations <= 0) {
    fprintf(stderr, "nsbench: WARMUP must be >= 0 and ITERATIONS > 0\n");
    return 2;
  }
  home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_fd < 0) {
    die("open /proc/thread-self/ns/net");
  }
  double *samples = calloc((size_t)iterations, sizeof(double));
  if (samples == NULL) {
    die("calloc");
  }
  for (int i = 0; i < warmup; i++) {
    round();
  }
  for (int i = 0; i < iterations; i++) {
    double start = now_ms();
    round();
    samples[i] = now_ms() - start;
  }
  for (int i = 0; i < iterations; i++) {
    printf("%.4f\n", samples[i]);
  }
  free(samples);
  close(home_fd);
  return 0;
}
