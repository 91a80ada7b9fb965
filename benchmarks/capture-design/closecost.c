#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
int main(int argc,char**argv){
  int n=argc>1?atoi(argv[1]):50;
  int home=open("/proc/self/ns/net",O_RDONLY);
  unshare(CLONE_NEWNET);
  int ns=open("/proc/self/ns/net",O_RDONLY);
  setns(home,CLONE_NEWNET);
  double t0,open_ms=0,close_ms=0,setns_ms=0;
  for(int i=0;i<n;i++){
    t0=now(); setns(ns,CLONE_NEWNET); setns(home,CLONE_NEWNET); setns_ms+=now()-t0;
    setns(ns,CLONE_NEWNET);
    t0=now(); int fd=socket(AF_PACKET,SOCK_RAW|SOCK_CLOEXEC,htons(ETH_P_ALL)); open_ms+=now()-t0;
    setns(home,CLONE_NEWNET);
    if(fd<0){perror("socket");return 1;}
    t0=now(); close(fd); close_ms+=now()-t0;
  }
  printf("setns pair %.4f ms, socket %.4f ms, close %.4f ms (mean of %d)\n",setns_ms/n,open_ms/n,close_ms/n,n);
}
