#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
static int fds[1024];
static void* closer(void*a){long i=(long)a; close(fds[i]); return 0;}
int main(int argc,char**argv){
  int n=atoi(argv[1]);
  for(int i=0;i<n;i++) fds[i]=socket(AF_PACKET,SOCK_RAW|SOCK_CLOEXEC,htons(ETH_P_ALL));
  pthread_t t[1024];
  double t0=now();
  for(long i=0;i<n;i++) pthread_create(&t[i],0,closer,(void*)i);
  for(int i=0;i<n;i++) pthread_join(t[i],0);
  printf("%d concurrent closes: %.2f ms total\n",n,now()-t0);
}
